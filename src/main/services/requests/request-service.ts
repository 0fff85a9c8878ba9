import type { z } from 'zod';
import type {
  AuthorityVerificationMethod,
  PatientDirective,
  ReleaseNotice,
  RepresentativeAuthorityDocument,
  RequestRecipient,
  RequestScope,
  RequestStatus,
  RulePack,
} from '../../../shared/compliance';
import type {
  IdentityVerificationT,
  RequestDetailT,
  RequestDocumentT,
  RequestIntake,
  RequestSummaryT,
} from '../../../shared/contract';
import type { NoticeLanguage } from '../../../shared/languages';
import { DEFAULT_RULE_PACKS } from '../compliance';
import { requireSetting } from '../settings/settings';
import type { ReferenceIssuer } from '../practice/reference-issuer';
import type { RequestContext, RequestServiceDeps } from './request-context';
import { recordRepresentativeAuthority } from './request-authority';
import { part2ConsentScopeSheets } from './request-authorizations';
import { amend, closeRequest, intakeRequest, listSummaries, recordVerification, setStatus } from './request-intake';
import { denialNotice, extend, recordUnencryptedEmailChoice, withdrawUnencryptedEmailChoice } from './request-notices';
import { clock, requestDetail } from './request-views';
import type { StoredRequest } from './repo';

export type { RequestServiceDeps } from './request-context';
export { CLOCK_SKEW_MS } from './request-intake';
export { practiceContact } from './request-notices';
export { DUE_THIS_WEEK_DAYS } from './request-views';

/**
 * Requests for records (issue #3): intake by legal basis, the 30-day clock
 * (45 CFR 164.524(b)(2)) and its one extension with the written notice,
 * identity and authority checks (164.514(h)), authorizations (164.508) with
 * live lint findings, Part 2 consents (42 CFR 2.31), the individual's choice
 * of unencrypted email (164.524(c)(2)), denial and withdrawal.
 *
 * Every change runs in one transaction with its audit event (PHI-free detail:
 * ids, codes, counts); every refusal is audited too.
 *
 * The steps live beside it, each documented there: intake, status, checks and amendments in request-intake.ts;
 * extension and denial notices, unencrypted-email choices and document export in request-notices.ts;
 * authorizations and Part 2 consents in request-authorizations.ts; a representative's authority in
 * request-authority.ts; clocks and details in request-views.ts.
 */
export class RequestService {
  /** What the request steps share (request-context.ts); the authorizations, consents and documents services use it too. */
  readonly ctx: RequestContext;

  constructor(private readonly d: RequestServiceDeps) {
    const session = d.session;
    this.ctx = { session, deps: d, now: () => session.clock.now(), timeZone: () => this.timeZone() };
  }

  /** The practice's IANA time zone (setting `practice.timeZone`). */
  timeZone(): string {
    return requireSetting(this.d.session.require().db, 'practice').timeZone;
  }
  /** The active sensitive-category rule packs. */
  rulePacks(): readonly RulePack[] {
    return this.d.rulePacks ?? DEFAULT_RULE_PACKS;
  }

  /** Intake: record a new request at status 'received'; see {@link intakeRequest}. */
  create(intake: z.output<typeof RequestIntake>): Promise<RequestDetailT> {
    return intakeRequest(this.ctx, intake);
  }

  /** Issue new requests' references practice-wide through `issuer` (practice/reference-issuer.ts). */
  useReferenceIssuer(issuer: ReferenceIssuer): void {
    this.ctx.referenceIssuer = issuer;
  }

  /** All requests with their clocks, most urgent first; see {@link listSummaries}. @throws AppError VAULT_LOCKED */
  list(): RequestSummaryT[] {
    return listSummaries(this.ctx);
  }

  /** One request in full (audited as a view of PHI: request.view, 164.312(b)). @throws AppError NOT_FOUND */
  get(id: string): RequestDetailT {
    const detail = this.detail(id);
    this.d.session.audited('request.view', { type: 'request', id }, () => undefined);
    return detail;
  }

  /** Move the request along the status flow by hand; see {@link setStatus}. */
  setStatus(requestId: string, to: RequestStatus): RequestDetailT {
    return setStatus(this.ctx, requestId, to);
  }

  /** Record an identity or authority check (164.514(h)); see {@link recordVerification}. */
  recordVerification(requestId: string, input: { subject: 'identity' | 'authority'; method: IdentityVerificationT['method']; notes: string }): RequestDetailT {
    return recordVerification(this.ctx, requestId, input);
  }

  /** Grant the one extension (164.524(b)(2)(ii)) with its written notice; see {@link extend}. */
  extend(requestId: string, reason: string, newDueDate: string): Promise<{ request: RequestDetailT; notice: RequestDocumentT }> {
    return extend(this.ctx, requestId, reason, newDueDate);
  }

  /**
   * Deny the request (closes it; a denial must follow 164.524(d): the written
   * denial itself is outside this step). The reason is stored with the request.
   * @throws AppError STATUS_TRANSITION_INVALID | NOT_FOUND
   */
  deny(requestId: string, reason: string): RequestDetailT {
    return closeRequest(this.ctx, requestId, 'denied', reason, 'request.deny');
  }

  /** The written denial of a denied right-of-access request (164.524(d)(2)–(3)); see {@link denialNotice}. */
  denialNotice(requestId: string, opts: { reviewable: boolean; elsewhere?: string | undefined }): Promise<{ saved: boolean; pageCount: number; language: NoticeLanguage }> {
    return denialNotice(this.ctx, requestId, opts);
  }

  /** The requester withdrew the request (closes it). @throws AppError STATUS_TRANSITION_INVALID | NOT_FOUND */
  withdraw(requestId: string, note: string): RequestDetailT {
    return closeRequest(this.ctx, requestId, 'withdrawn', note, 'request.withdraw');
  }

  /** Record the individual's choice about unencrypted email (164.524(c)(2)); see {@link recordUnencryptedEmailChoice}. */
  recordUnencryptedEmailChoice(
    requestId: string,
    input: { prefersUnencrypted: boolean; chosenBy: 'patient' | 'personal_representative'; scope: 'this_release' | 'standing' },
  ): RequestDetailT {
    return recordUnencryptedEmailChoice(this.ctx, requestId, input);
  }

  /** Amend an open request's scope, recipients or the patient's direction (164.530(j)); see {@link amend}. */
  amend(
    requestId: string,
    input: { reason: string; scope?: RequestScope; recipients?: z.output<typeof RequestRecipient>[]; patientDirective?: z.output<typeof PatientDirective> },
  ): RequestDetailT {
    return amend(this.ctx, requestId, input);
  }

  /** The individual withdrew their choice of unencrypted email; see {@link withdrawUnencryptedEmailChoice}. */
  withdrawUnencryptedEmailChoice(requestId: string, acknowledgmentId: string): RequestDetailT {
    return withdrawUnencryptedEmailChoice(this.ctx, requestId, acknowledgmentId);
  }

  /** Record how a personal representative's authority was verified (164.502(g), 164.514(h)(1)); see {@link recordRepresentativeAuthority}. */
  recordRepresentativeAuthority(
    requestId: string,
    input: { target: 'requester' | 'authorization_signer'; document: RepresentativeAuthorityDocument; method: AuthorityVerificationMethod; notes: string },
  ): Promise<RequestDetailT> {
    return recordRepresentativeAuthority(this.ctx, requestId, input);
  }

  /** The Part 2 consent scope sheets a release must carry (42 CFR 2.32(b)); see {@link part2ConsentScopeSheets}. */
  part2ConsentScopeSheets(notices: readonly ReleaseNotice[], releaseReference: string): Promise<Array<{ consentId: string; filename: string; bytes: Buffer }>> {
    return part2ConsentScopeSheets(this.ctx, notices, releaseReference);
  }

  /** Clock fields of a request (164.524(b)(2)), in the practice's time zone; see {@link clock}. */
  clock(r: StoredRequest, tz: string): Pick<RequestSummaryT, 'dueDate' | 'daysLeft' | 'dueThisWeek' | 'overdue' | 'extended'> {
    return clock(this.ctx, r, tz);
  }

  /** The full detail of a request (not audited; callers audit). @throws AppError NOT_FOUND */
  detail(id: string): RequestDetailT {
    return requestDetail(this.ctx, id);
  }
}
