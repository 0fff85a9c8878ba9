import type { AuthorizationRecordT, Part2ConsentRecordT, RequestDetailT, RequestSummaryT } from '../../../shared/contract';
import { ACCESS_BASES, accessClock, lintAuthorization, lintPart2Consent, localDate } from '../compliance';
import { listRequestDocuments } from '../documents/documents';
import { OPEN, type RequestContext } from './request-context';
import {
  closingReason,
  getAuthorization,
  getRequest,
  listAcknowledgments,
  listPart2Consents,
  listVerifications,
  releasesOfRequest,
  type StoredAuthorization,
  type StoredConsent,
  type StoredRequest,
} from './repo';

/** "Due this week": open and due within this many calendar days from today (0..6). */
export const DUE_THIS_WEEK_DAYS = 7;

/** Clock fields of a request (164.524(b)(2)), in the practice's time zone; empty for bases without the clock. */
export function clock(ctx: RequestContext, r: StoredRequest, tz: string): Pick<RequestSummaryT, 'dueDate' | 'daysLeft' | 'dueThisWeek' | 'overdue' | 'extended'> {
  if (!(ACCESS_BASES as readonly string[]).includes(r.request.basis)) return { dueDate: null, daysLeft: null, dueThisWeek: false, overdue: false, extended: false };
  const c = accessClock(r.request, ctx.now(), tz);
  const open = OPEN.includes(r.request.status);
  return {
    dueDate: c.effectiveDueDate,
    daysLeft: c.daysRemaining,
    dueThisWeek: open && c.daysRemaining >= 0 && c.daysRemaining < DUE_THIS_WEEK_DAYS,
    overdue: open && c.daysRemaining < 0,
    extended: c.extended,
  };
}

/** The list row of a request: identity, status, when it closed, and its clock. */
export function summary(ctx: RequestContext, r: StoredRequest, tz: string): RequestSummaryT {
  return {
    id: r.id,
    reference: r.reference,
    patientName: r.patient.name,
    basis: r.request.basis,
    status: r.request.status,
    receivedAt: r.request.receivedAt,
    // A closed request changes no more (no amendment, check or extension), so its last update is when it closed.
    closedOn: OPEN.includes(r.request.status) ? null : localDate(r.updatedAt, tz),
    ...clock(ctx, r, tz),
  };
}

/** The full detail of a request (not audited; callers audit). @throws AppError NOT_FOUND */
export function requestDetail(ctx: RequestContext, id: string): RequestDetailT {
  const db = ctx.session.require().db;
  const tz = ctx.timeZone();
  const r = getRequest(db, id);
  const auth = r.request.authorizationId ? getAuthorization(db, r.request.authorizationId) : null;
  return {
    ...summary(ctx, r, tz),
    patient: r.patient,
    request: r.request,
    authorization: auth ? authorizationRecord(ctx, auth, tz) : null,
    part2Consents: listPart2Consents(db, r.patient.mrn).map((c) => consentRecord(ctx, c, tz)),
    verifications: listVerifications(db, id),
    acknowledgments: listAcknowledgments(db, r.patient.mrn).filter((a) => a.scope === 'standing' || a.requestId === id),
    documents: listRequestDocuments(db, id),
    releases: releasesOfRequest(db, id),
    closingReason: closingReason(db, id),
  };
}

/** An authorization with the linter's findings now (164.508(b)(2), (c)); `valid` when nothing blocks. */
export function authorizationRecord(ctx: RequestContext, a: StoredAuthorization, tz: string): AuthorizationRecordT {
  const findings = lintAuthorization(a.authorization, ctx.now(), tz);
  return {
    id: a.id,
    requestId: a.requestId,
    authorization: a.authorization,
    findings,
    valid: findings.every((f) => f.severity !== 'block'),
    signedFormDocumentId: a.signedFormDocumentId,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** A Part 2 consent with the linter's findings now (42 CFR 2.31); `valid` when nothing blocks. */
export function consentRecord(ctx: RequestContext, c: StoredConsent, tz: string): Part2ConsentRecordT {
  const findings = lintPart2Consent(c.consent, ctx.now(), tz);
  return { id: c.id, requestId: c.requestId, consent: c.consent, findings, valid: findings.every((f) => f.severity !== 'block'), createdAt: c.createdAt };
}
