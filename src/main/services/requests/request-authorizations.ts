import type { z } from 'zod';
import type { Authorization, Part2Consent, ReleaseNotice, RepresentativeAuthorityEvidence, Revocation } from '../../../shared/compliance';
import type { AuthorizationRecordT, Part2ConsentRecordT, RequestDocumentT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { lintAuthorization, lintPart2Consent, localDate } from '../compliance';
import { renderAuthorizationForm } from '../compliance/documents/authorization-form';
import { renderPart2ConsentScope } from '../compliance/documents/part2-consent-scope';
import { checkPdf, insertRequestDocument } from '../documents/documents';
import { requireSetting } from '../settings/settings';
import { refuseAudited, type RequestContext } from './request-context';
import { practiceContact } from './request-notices';
import { authorizationRecord, consentRecord } from './request-views';
import { getAuthorization, getPart2Consent, getRequest, insertAuthorization, insertPart2Consent, updateAuthorization, updatePart2Consent, updateRequest } from './repo';

/**
 * Save the request's authorization, or replace the current one (`authorizationId`):
 * the old one is kept, marked superseded (164.508(b)(6), 164.530(j)). Returns the
 * linter's findings at this moment (164.508(b)(2), (c)). A `signature.authorityEvidence` in the input is
 * ignored: the verification on file is carried over while a personal representative signs (it is recorded
 * only by {@link recordRepresentativeAuthority}).
 * @throws AppError NOT_FOUND | VALIDATION_FAILED (authorizationId is not this request's current authorization)
 */
export function saveAuthorization(ctx: RequestContext, requestId: string, authorization: Omit<Authorization, 'id'>, authorizationId?: string): AuthorizationRecordT {
  const tz = ctx.timeZone();
  const saved = ctx.session.audited(
    authorizationId ? 'authorization.replace' : 'authorization.create',
    { type: 'request', id: requestId },
    (v) => {
      const r = getRequest(v.db, requestId);
      let signedForm: string | null = null;
      if (authorizationId) {
        const old = getAuthorization(v.db, authorizationId);
        if (old.requestId !== requestId || old.supersededBy || r.request.authorizationId !== authorizationId)
          throw new AppError('VALIDATION_FAILED', 'Only the current authorization of this request can be replaced.');
        signedForm = old.signedFormDocumentId;
      }
      // The verification of a representative's authority is recorded only by recordRepresentativeAuthority
      // (who and when come from the session): a save keeps the one on file while a representative still signs.
      let evidence: RepresentativeAuthorityEvidence | undefined;
      if (authorizationId && authorization.signature.signerRole === 'personal_representative')
        evidence = getAuthorization(v.db, authorizationId).authorization.signature.authorityEvidence;
      const { authorityEvidence: _ignored, ...signature } = authorization.signature;
      const content = { ...authorization, signature: evidence ? { ...signature, authorityEvidence: evidence } : signature };
      const a = insertAuthorization(v.db, { requestId, patientMrn: r.patient.mrn, authorization: content, replaces: authorizationId, signedFormDocumentId: signedForm }, ctx.now());
      updateRequest(v.db, { ...r.request, authorizationId: a.id }, ctx.now());
      return a;
    },
    (a) => {
      const f = lintAuthorization(a.authorization, ctx.now(), tz);
      return {
        authorizationId: a.id,
        ...(authorizationId ? { replaces: authorizationId } : {}),
        blocking: f.filter((x) => x.severity === 'block').length,
        findings: f.map((x) => x.code).join(','),
      };
    },
  );
  return authorizationRecord(ctx, saved, tz);
}

/**
 * Record the revocation of an authorization (effective the day received, 164.508(b)(5)).
 * @throws AppError NOT_FOUND | VALIDATION_FAILED (already revoked)
 */
export function revokeAuthorization(ctx: RequestContext, authorizationId: string, revocation: z.output<typeof Revocation>): AuthorizationRecordT {
  const tz = ctx.timeZone();
  ctx.session.audited(
    'authorization.revoke',
    { type: 'authorization', id: authorizationId },
    (v) => {
      const a = getAuthorization(v.db, authorizationId);
      if (a.authorization.revocation) throw new AppError('VALIDATION_FAILED', 'This authorization is already revoked.');
      updateAuthorization(v.db, { ...a.authorization, revocation }, ctx.now());
    },
    () => ({ authorizationId, method: revocation.method }),
  );
  return authorizationRecord(ctx, getAuthorization(ctx.session.require().db, authorizationId), tz);
}

/**
 * Attach the scanned signed authorization (a PDF the staff member picks) to the
 * authorization, stored encrypted in the vault (kept 6 years, 164.508(b)(6)).
 * @throws AppError NOT_FOUND | FILE_* | VALIDATION_FAILED (nothing picked)
 */
export async function attachSignedForm(ctx: RequestContext, authorizationId: string): Promise<AuthorizationRecordT> {
  const subject = { type: 'authorization', id: authorizationId };
  const db = ctx.session.require().db;
  const a = refuseAudited(ctx, 'authorization.attach_signed_form', subject, () => getAuthorization(db, authorizationId));
  const files = await ctx.deps.filePicker.pick();
  const first = files[0];
  if (!first) throw new AppError('VALIDATION_FAILED', 'No file was chosen.');
  const pdf = await checkPdf(await first.read()).catch((e: unknown) => {
    ctx.session.recordFailure('authorization.attach_signed_form', subject, e);
    throw e;
  });
  const reference = a.requestId ? getRequest(db, a.requestId).reference : 'unlinked';
  ctx.session.audited(
    'authorization.attach_signed_form',
    subject,
    (v) => {
      const doc = insertRequestDocument(v.db, {
        requestId: a.requestId,
        kind: 'signed_authorization',
        label: `signed-authorization-${reference}.pdf`,
        originalName: first.name,
        bytes: pdf.bytes,
        pageCount: pdf.pageCount,
        at: ctx.now(),
        documentDate: localDate(ctx.now(), ctx.timeZone()),
      });
      updateAuthorization(v.db, a.authorization, ctx.now(), doc.id);
      return doc;
    },
    (doc) => ({ documentId: doc.id, pages: doc.pageCount }),
  );
  return authorizationRecord(ctx, getAuthorization(db, authorizationId), ctx.timeZone());
}

/**
 * A printable authorization form (45 CFR 164.508(c)), blank or prefilled from
 * the request (patient, scope, recipients) and its authorization. Stored
 * encrypted in the vault (a prefilled form is PHI); export with documents.export.
 * @throws AppError NOT_FOUND | VALIDATION_FAILED (prefill without a request)
 */
export async function authorizationForm(ctx: RequestContext, input: { requestId?: string; prefill: boolean; psychotherapyNotesOnly: boolean }): Promise<RequestDocumentT> {
  const db = ctx.session.require().db;
  if (input.prefill && !input.requestId) throw new AppError('VALIDATION_FAILED', 'Choose the request to prefill the form from.');
  const r = input.requestId ? getRequest(db, input.requestId) : null;
  const practice = requireSetting(db, 'practice');
  const auth = r?.request.authorizationId ? getAuthorization(db, r.request.authorizationId).authorization : undefined;
  const fill = input.prefill && r;
  const bytes = Buffer.from(
    await renderAuthorizationForm({
      practice: practiceContact(practice),
      psychotherapyNotesOnly: input.psychotherapyNotesOnly,
      assetsRoot: ctx.deps.assetsRoot,
      ...(fill
        ? {
            patientName: r.patient.name,
            dateOfBirth: r.patient.dateOfBirth,
            informationDescription: auth?.informationDescription,
            categories: auth?.categories.length ? auth.categories : r.request.scope.categories,
            dateRange: { from: auth?.from ?? r.request.scope.from, to: auth?.to ?? r.request.scope.to },
            recipients: auth?.recipients.length ? auth.recipients : r.request.recipients.map((x) => `${x.name}, ${x.destination}`),
            purposes: auth?.purposes.length ? auth.purposes : undefined,
            expirationDate: auth?.expiration.date,
            expirationEvent: auth?.expiration.event,
          }
        : {}),
    }),
  );
  const { pageCount } = await checkPdf(bytes);
  return ctx.session.audited(
    'authorization.form',
    { type: 'request', id: r?.id ?? null },
    (v) =>
      insertRequestDocument(v.db, {
        requestId: r?.id ?? null,
        kind: 'authorization_form',
        label: `authorization-form${r ? `-${r.reference}` : ''}${input.psychotherapyNotesOnly ? '-psychotherapy-notes' : ''}.pdf`,
        bytes,
        pageCount,
        at: ctx.now(),
        documentDate: localDate(ctx.now(), ctx.timeZone()),
      }),
    (doc) => ({ documentId: doc.id, prefilled: Boolean(fill) }),
  );
}

/**
 * Record a 42 CFR Part 2 consent (§2.31) on the request's patient, with its findings now.
 * @throws AppError NOT_FOUND
 */
export function savePart2Consent(ctx: RequestContext, requestId: string, consent: Omit<Part2Consent, 'id'>): Part2ConsentRecordT {
  const tz = ctx.timeZone();
  const c = ctx.session.audited(
    'part2_consent.create',
    { type: 'request', id: requestId },
    (v) => insertPart2Consent(v.db, { requestId, patientMrn: getRequest(v.db, requestId).patient.mrn, consent }, ctx.now()),
    (c) => ({ consentId: c.id, blocking: lintPart2Consent(c.consent, ctx.now(), tz).filter((x) => x.severity === 'block').length }),
  );
  return consentRecord(ctx, c, tz);
}

/**
 * Record the revocation of a Part 2 consent (42 CFR 2.31(a)(6)): effective the day received; the consent is
 * kept, and from that day the gate refuses Part 2 records under it (P2_REVOKED, PART2_CONSENT_REQUIRED).
 * @throws AppError NOT_FOUND | VALIDATION_FAILED (already revoked)
 */
export function revokePart2Consent(ctx: RequestContext, consentId: string, revocation: z.output<typeof Revocation>): Part2ConsentRecordT {
  const tz = ctx.timeZone();
  ctx.session.audited(
    'part2_consent.revoke',
    { type: 'part2_consent', id: consentId },
    (v) => {
      const c = getPart2Consent(v.db, consentId);
      if (c.consent.revocation) throw new AppError('VALIDATION_FAILED', 'This Part 2 consent is already revoked.');
      updatePart2Consent(v.db, { ...c.consent, revocation }, ctx.now());
    },
    () => ({ consentId, method: revocation.method }),
  );
  return consentRecord(ctx, getPart2Consent(ctx.session.require().db, consentId), tz);
}

/**
 * The Part 2 consent scope sheets a release must carry (42 CFR 2.32(b), 2024 text): one PDF
 * (renderPart2ConsentScope) for each '42 CFR 2.32(b)' notice the gate returned (evaluateRelease →
 * `decision.notices`, each with its `consentId`). Call it in the send path after the gate allowed the
 * release, and add each sheet to the PGP/MIME attachments and to the packet's sources; the text form of the
 * same scope already travels in the message body (innerBody prints the notices). Not audited (nothing
 * changes; the release's own audit records the send).
 * @param notices the gate's notices (others are ignored)
 * @param releaseReference the release's PHI-free reference, printed on each sheet
 * @returns `[{ consentId, filename, bytes }]` in notice order; filenames carry no PHI
 *   ("part2-consent-scope.pdf", then "-2", "-3"); empty when there is no Part 2 consent notice
 * @throws AppError NOT_FOUND (a consent id is unknown) | VALIDATION_FAILED (the consent is no longer
 *   valid now, e.g. revoked since the gate ran: the disclosure must not go out)
 */
export async function part2ConsentScopeSheets(ctx: RequestContext, notices: readonly ReleaseNotice[], releaseReference: string): Promise<Array<{ consentId: string; filename: string; bytes: Buffer }>> {
  const db = ctx.session.require().db;
  const practice = requireSetting(db, 'practice');
  const ids = [...new Set(notices.filter((n) => n.citation === '42 CFR 2.32(b)' && n.consentId).map((n) => n.consentId!))];
  const out: Array<{ consentId: string; filename: string; bytes: Buffer }> = [];
  for (const [i, consentId] of ids.entries()) {
    const bytes = await renderPart2ConsentScope({
      practice: { name: practice.name },
      consent: getPart2Consent(db, consentId).consent,
      releaseReference,
      now: ctx.now(),
      timeZone: ctx.timeZone(),
      ...(ctx.deps.assetsRoot ? { assetsRoot: ctx.deps.assetsRoot } : {}),
    });
    out.push({ consentId, filename: `part2-consent-scope${i === 0 ? '' : `-${i + 1}`}.pdf`, bytes: Buffer.from(bytes) });
  }
  return out;
}
