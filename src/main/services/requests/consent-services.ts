/**
 * The `authorizations.*` and `part2Consents.*` channels as services: a request's HIPAA authorization (45 CFR 164.508)
 * saved, revoked, its signed form attached, a printable form made; a 42 CFR Part 2 consent (§2.31) saved or revoked.
 * The steps themselves, each documented and audited, are in request-authorizations.ts.
 */
import type { z } from 'zod';
import type { Authorization, Part2Consent, Revocation } from '../../../shared/compliance';
import type { AuthorizationRecordT, Part2ConsentRecordT, RequestDocumentT } from '../../../shared/contract';
import type { RequestContext } from './request-context';
import { attachSignedForm, authorizationForm, revokeAuthorization, revokePart2Consent, saveAuthorization, savePart2Consent } from './request-authorizations';

/** A request's authorization (164.508). */
export class AuthorizationsService {
  constructor(private readonly ctx: RequestContext) {}

  /** Save or replace the request's authorization (164.508(b)(6)); see {@link saveAuthorization}. */
  save(requestId: string, authorization: Omit<Authorization, 'id'>, authorizationId?: string): AuthorizationRecordT {
    return saveAuthorization(this.ctx, requestId, authorization, authorizationId);
  }

  /** Record the revocation of an authorization (164.508(b)(5)); see {@link revokeAuthorization}. */
  revoke(authorizationId: string, revocation: z.output<typeof Revocation>): AuthorizationRecordT {
    return revokeAuthorization(this.ctx, authorizationId, revocation);
  }

  /** Attach the scanned signed authorization (164.508(b)(6)); see {@link attachSignedForm}. */
  attachSignedForm(authorizationId: string): Promise<AuthorizationRecordT> {
    return attachSignedForm(this.ctx, authorizationId);
  }

  /** A printable authorization form (164.508(c)), blank or prefilled; see {@link authorizationForm}. */
  form(input: { requestId?: string; prefill: boolean; psychotherapyNotesOnly: boolean }): Promise<RequestDocumentT> {
    return authorizationForm(this.ctx, input);
  }
}

/** A patient's 42 CFR Part 2 consents (§2.31). */
export class Part2ConsentsService {
  constructor(private readonly ctx: RequestContext) {}

  /** Record a 42 CFR Part 2 consent (§2.31); see {@link savePart2Consent}. */
  save(requestId: string, consent: Omit<Part2Consent, 'id'>): Part2ConsentRecordT {
    return savePart2Consent(this.ctx, requestId, consent);
  }

  /** Record the revocation of a Part 2 consent (42 CFR 2.31(a)(6)); see {@link revokePart2Consent}. */
  revoke(consentId: string, revocation: z.output<typeof Revocation>): Part2ConsentRecordT {
    return revokePart2Consent(this.ctx, consentId, revocation);
  }
}
