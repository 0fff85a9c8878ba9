import type { z } from 'zod';
import type { PatientDirective, ReleaseRequest, RequestAmendment, RequestRecipient, RequestScope, RequestStatus } from '../../../shared/compliance';
import type { IdentityVerificationT, RequestDetailT, RequestIntake, RequestSummaryT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { localDate, transitionStatus } from '../compliance';
import { OPEN, type RequestContext } from './request-context';
import { requestDetail, summary } from './request-views';
import { newId } from '../support/ids';
import { getRequest, insertRequest, insertVerification, listRequests, listVerifications, referenceInUse, setClosingReason, updateRequest } from './repo';

/** Clock skew tolerated between the intake form's "received at" and the app's clock (5 minutes), in ms. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Intake: record a new request at status 'received' (audited: request.create). With a practice server, its
 * reference is issued practice-wide first (practice/reference-issuer.ts; offline: this workstation's own form).
 * @param intake validated RequestIntake (patient, basis, receivedAt, requester, recipients, scope, form, ...)
 * @returns the request detail with its clock
 * @throws AppError VAULT_LOCKED | VALIDATION_FAILED (bad time zone/date; `receivedAt` more than
 *   {@link CLOCK_SKEW_MS} ms after now; a date of birth after today in the practice's time zone) — the day of
 *   receipt starts the 164.524(b)(2) clock, so a future one would silently extend the deadline
 */
export async function intakeRequest(ctx: RequestContext, intake: z.output<typeof RequestIntake>): Promise<RequestDetailT> {
  const tz = ctx.timeZone();
  localDate(intake.receivedAt, tz); // validates the instant before anything is written
  const now = ctx.now();
  const refuse = (field: string, message: string) => {
    const e = new AppError('VALIDATION_FAILED', message, { field });
    ctx.session.recordFailure('request.create', { type: 'request', id: null }, e);
    throw e;
  };
  if (Date.parse(intake.receivedAt) - now.getTime() > CLOCK_SKEW_MS)
    refuse('receivedAt', 'receivedAt: the date the request was received cannot be in the future.');
  if (intake.patient.dateOfBirth > localDate(now, tz)) refuse('patient.dateOfBirth', "patient.dateOfBirth: the patient's date of birth cannot be in the future.");
  const id = newId();
  let reference = await ctx.referenceIssuer?.issue(id, now.getUTCFullYear(), now).catch((e: unknown) => {
    ctx.session.recordFailure('request.create', { type: 'request', id: null }, e);
    throw e;
  });
  // A server reference this vault already uses (an older local number) is not taken: the workstation's own form is.
  if (reference && 'reference' in reference && referenceInUse(ctx.session.require().db, reference.reference)) reference = ctx.referenceIssuer!.fallback(now.getUTCFullYear());
  const r = ctx.session.audited(
    'request.create',
    { type: 'request', id: null },
    (v) => insertRequest(v.db, intake, ctx.now(), { id, reference: reference ?? null }),
    (r) => ({
      requestId: r.id,
      basis: r.request.basis,
      recipients: r.request.recipients.length,
      categories: r.request.scope.categories.length,
      ...(reference ? { referenceIssuedBy: reference.issuedBy } : {}),
    }),
  );
  return requestDetail(ctx, r.id);
}

/** All requests with their clocks, most urgent first (overdue, then by days left), closed ones last. @throws AppError VAULT_LOCKED */
export function listSummaries(ctx: RequestContext): RequestSummaryT[] {
  const db = ctx.session.require().db;
  const tz = ctx.timeZone();
  const rank = (s: RequestSummaryT) => (OPEN.includes(s.status) ? 0 : 1);
  return listRequests(db)
    .map((r) => summary(ctx, r, tz))
    .sort((a, b) => rank(a) - rank(b) || (a.daysLeft ?? 1e9) - (b.daysLeft ?? 1e9) || a.receivedAt.localeCompare(b.receivedAt));
}

/**
 * Move the request along the status flow by hand (engine's STATUS_TRANSITIONS).
 * 'ready' needs at least one recorded identity check (164.514(h)(1)); an authority check alone is not one.
 * @throws AppError STATUS_TRANSITION_INVALID (detail from, to | rule 'verification_required') | NOT_FOUND
 */
export function setStatus(ctx: RequestContext, requestId: string, to: RequestStatus): RequestDetailT {
  ctx.session.audited(
    'request.status',
    { type: 'request', id: requestId },
    (v) => {
      const r = getRequest(v.db, requestId);
      const from = r.request.status;
      transitionStatus(from, to);
      // An identity check specifically: the authority check recordRepresentativeAuthority adds does not verify who is asking.
      if (to === 'ready' && !listVerifications(v.db, requestId).some((x) => x.subject === 'identity'))
        throw new AppError('STATUS_TRANSITION_INVALID', "Record how the requester's identity (and authority) was verified before marking the request ready.", {
          rule: 'verification_required',
          citation: '45 CFR 164.514(h)(1)',
        });
      updateRequest(v.db, { ...r.request, status: to }, ctx.now());
      return { from, to };
    },
    (x) => x,
  );
  return requestDetail(ctx, requestId);
}

/**
 * Record an identity or authority check by the signed-in staff member, now (45 CFR 164.514(h)).
 * A request still at 'received' moves to 'verifying'.
 * @throws AppError NOT_FOUND | STATUS_TRANSITION_INVALID (closed request)
 */
export function recordVerification(ctx: RequestContext, requestId: string, input: { subject: 'identity' | 'authority'; method: IdentityVerificationT['method']; notes: string }): RequestDetailT {
  ctx.session.audited(
    'request.verify',
    { type: 'request', id: requestId },
    (v) => {
      const r = getRequest(v.db, requestId);
      if (!OPEN.includes(r.request.status)) throw new AppError('STATUS_TRANSITION_INVALID', 'This request is closed.', { from: r.request.status, to: r.request.status });
      const rec = insertVerification(v.db, {
        requestId,
        subject: input.subject,
        method: input.method,
        notes: input.notes,
        checkedBy: ctx.session.actor(),
        checkedAt: ctx.now().toISOString(),
      });
      if (r.request.status === 'received') updateRequest(v.db, { ...r.request, status: 'verifying' }, ctx.now());
      return rec;
    },
    (rec) => ({ verificationId: rec.id, subject: rec.subject, method: rec.method }),
  );
  return requestDetail(ctx, requestId);
}

/** Close the request as denied or withdrawn, keeping the reason (audited under `action`: from, to). @throws AppError STATUS_TRANSITION_INVALID | NOT_FOUND */
export function closeRequest(ctx: RequestContext, requestId: string, to: 'denied' | 'withdrawn', reason: string, action: string): RequestDetailT {
  ctx.session.audited(
    action,
    { type: 'request', id: requestId },
    (v) => {
      const r = getRequest(v.db, requestId);
      transitionStatus(r.request.status, to);
      updateRequest(v.db, { ...r.request, status: to }, ctx.now());
      setClosingReason(v.db, requestId, reason);
      return r.request.status;
    },
    (from) => ({ from, to }),
  );
  return requestDetail(ctx, requestId);
}

/**
 * Amend an open request: its scope (categories, dates), recipients, or the patient's signed direction
 * (including the sensitive categories it names). The previous values, who, when and why are kept in the
 * request's `amendments` (nothing is lost, 164.530(j)); the audit event names the changed fields only.
 * A change that alters nothing is refused.
 * @throws AppError NOT_FOUND | STATUS_TRANSITION_INVALID (closed or sent request) |
 *   VALIDATION_FAILED (nothing changes; a direction on a request that is not patient-directed)
 */
export function amend(
  ctx: RequestContext,
  requestId: string,
  input: { reason: string; scope?: RequestScope; recipients?: z.output<typeof RequestRecipient>[]; patientDirective?: z.output<typeof PatientDirective> },
): RequestDetailT {
  ctx.session.audited(
    'request.amend',
    { type: 'request', id: requestId },
    (v) => {
      const r = getRequest(v.db, requestId);
      const cur = r.request;
      if (!OPEN.includes(cur.status)) throw new AppError('STATUS_TRANSITION_INVALID', 'Only an open request can be amended.', { from: cur.status, to: cur.status });
      if (input.patientDirective && cur.basis !== 'patient_directed')
        throw new AppError('VALIDATION_FAILED', "Only a patient-directed request has the patient's written direction.", { field: 'patientDirective' });
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      const changed: RequestAmendment['changed'] = [];
      const before: RequestAmendment['before'] = {};
      const next: ReleaseRequest = { ...cur };
      if (input.scope && !same(input.scope, cur.scope)) {
        changed.push('scope');
        before.scope = cur.scope;
        next.scope = input.scope;
      }
      if (input.recipients && !same(input.recipients, cur.recipients)) {
        changed.push('recipients');
        before.recipients = cur.recipients;
        next.recipients = input.recipients;
      }
      if (input.patientDirective && !same(input.patientDirective, cur.patientDirective)) {
        changed.push('patientDirective');
        if (cur.patientDirective) before.patientDirective = cur.patientDirective;
        next.patientDirective = input.patientDirective;
      }
      if (changed.length === 0) throw new AppError('VALIDATION_FAILED', 'The amendment changes nothing in the request.', { field: 'amendment' });
      const amendment: RequestAmendment = { amendedAt: ctx.now().toISOString(), amendedBy: ctx.session.actor(), reason: input.reason, changed, before };
      updateRequest(v.db, { ...next, amendments: [...(cur.amendments ?? []), amendment] }, ctx.now());
      return changed;
    },
    (changed) => ({ changed: changed.join(',') }),
  );
  return requestDetail(ctx, requestId);
}
