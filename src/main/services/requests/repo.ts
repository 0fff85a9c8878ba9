/**
 * Repositories of the compliance records (migration 2): requests, authorizations,
 * Part 2 consents, unencrypted-email choices, identity checks and scope overrides.
 * Functions of (db, ...args); every JSON column is validated with the shared zod
 * schemas on read, so a damaged row fails loudly instead of feeding the rules
 * engine wrong facts. Writes belong inside the caller's audited transaction.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import {
  Authorization,
  Part2Consent,
  ReleaseRequest,
  ScopeOverride,
  UnencryptedEmailAcknowledgment,
  type RequestStatus,
} from '../../../shared/compliance';
import type { IdentityVerificationT, RequestIntake } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { newId } from '../support/ids';

export interface Patient {
  name: string;
  dateOfBirth: string;
  mrn: string;
}

/** A stored request: the engine's view plus the patient and bookkeeping. */
export interface StoredRequest {
  id: string;
  reference: string;
  patient: Patient;
  request: ReleaseRequest;
  createdAt: string;
  updatedAt: string;
}

/** A row of the vault's `requests` table as read by the request queries (snake_case columns). */
export interface RequestRow {
  id: string;
  reference: string;
  patient_name: string;
  patient_dob: string;
  patient_mrn: string;
  basis: string;
  received_at: string;
  status: RequestStatus;
  request_json: string;
  created_at: string;
  updated_at: string;
}

function toStored(r: RequestRow): StoredRequest {
  // id, basis, receivedAt and status live in columns (queried, constrained); the JSON holds the rest.
  const request = ReleaseRequest.parse({ ...JSON.parse(r.request_json), id: r.id, basis: r.basis, receivedAt: r.received_at, status: r.status });
  return {
    id: r.id,
    reference: r.reference,
    patient: { name: r.patient_name, dateOfBirth: r.patient_dob, mrn: r.patient_mrn },
    request,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** How a new request's reference was issued (practice/reference-issuer.ts): by the practice server, or under a workstation's own prefix. */
export type ReferenceChoice = { reference: string; issuedBy: 'server' } | { prefix: string; issuedBy: 'workstation' };

/** Whether a reference is already used by a request in this vault. */
export function referenceInUse(db: Database, reference: string): boolean {
  return db.prepare('SELECT 1 FROM requests WHERE reference = ?').get(reference) !== undefined;
}

/**
 * Insert a request at status 'received'. Its reference carries no PHI: without a practice server, the vault's
 * per-year sequence ("Q-2026-00001", UTC year of intake); with one, the reference the practice server allocated, or
 * the next number under this workstation's offline prefix ("Q-2026-WA1B2C3-0001").
 * @param opts the id chosen beforehand and how the reference was issued (absent: the vault's own numbering)
 * @returns the new request
 */
export function insertRequest(db: Database, intake: z.output<typeof RequestIntake>, now: Date, opts: { id?: string; reference?: ReferenceChoice | null } = {}): StoredRequest {
  const id = opts.id ?? newId();
  const year = now.getUTCFullYear();
  const choice = opts.reference ?? null;
  let reference: string;
  if (choice && 'reference' in choice) reference = choice.reference;
  else if (choice) {
    const { n } = db.prepare("SELECT count(*) AS n FROM requests WHERE reference LIKE ? || '-%'").get(choice.prefix) as { n: number };
    reference = `${choice.prefix}-${String(n + 1).padStart(4, '0')}`;
  } else {
    const { n } = db.prepare('SELECT count(*) AS n FROM requests WHERE reference LIKE ?').get(`Q-${year}-%`) as { n: number };
    reference = `Q-${year}-${String(n + 1).padStart(5, '0')}`;
  }
  const request = ReleaseRequest.parse({
    id,
    basis: intake.basis,
    receivedAt: intake.receivedAt,
    requester: intake.requester,
    recipients: intake.recipients,
    scope: intake.scope,
    form: intake.form,
    status: 'received',
    extensions: [],
    patientDirective: intake.patientDirective,
    tpo: intake.tpo,
    ...(intake.preferredLanguage ? { preferredLanguage: intake.preferredLanguage } : {}),
  });
  const at = now.toISOString();
  db.prepare(
    `INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, created_at, updated_at, reference_issued_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, reference, intake.patient.name, intake.patient.dateOfBirth, intake.patient.mrn, request.basis, request.receivedAt, request.status, JSON.stringify(request), at, at, choice?.issuedBy ?? null);
  return getRequest(db, id);
}

/** One request. @throws AppError NOT_FOUND */
export function getRequest(db: Database, id: string): StoredRequest {
  const r = db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', 'That request does not exist.');
  return toStored(r);
}

/** Every request, by date received (oldest first). */
export function listRequests(db: Database): StoredRequest[] {
  return (db.prepare('SELECT * FROM requests ORDER BY received_at, reference').all() as RequestRow[]).map(toStored);
}

/** Replace the request's engine view (status, extensions, authorization link); validated before writing. */
export function updateRequest(db: Database, request: ReleaseRequest, now: Date): void {
  const r = ReleaseRequest.parse(request);
  const res = db
    .prepare('UPDATE requests SET status = ?, request_json = ?, updated_at = ? WHERE id = ?')
    .run(r.status, JSON.stringify(r), now.toISOString(), r.id);
  if (res.changes === 0) throw new AppError('NOT_FOUND', 'That request does not exist.');
}

// ------------------------------------------------------------------ authorizations

export interface StoredAuthorization {
  id: string;
  requestId: string | null;
  patientMrn: string;
  authorization: Authorization;
  signedFormDocumentId: string | null;
  supersededBy: string | null;
  createdAt: string;
  updatedAt: string;
}

interface AuthRow {
  id: string;
  request_id: string | null;
  patient_mrn: string;
  authorization_json: string;
  signed_form_document_id: string | null;
  superseded_by: string | null;
  created_at: string;
  updated_at: string;
}

const toAuth = (r: AuthRow): StoredAuthorization => ({
  id: r.id,
  requestId: r.request_id,
  patientMrn: r.patient_mrn,
  authorization: Authorization.parse({ ...JSON.parse(r.authorization_json), id: r.id }),
  signedFormDocumentId: r.signed_form_document_id,
  supersededBy: r.superseded_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Insert an authorization (new id); when `replaces` is given, the old row is kept and marked superseded (164.508(b)(6)). */
export function insertAuthorization(
  db: Database,
  input: { requestId: string; patientMrn: string; authorization: Omit<Authorization, 'id'>; replaces?: string; signedFormDocumentId?: string | null },
  now: Date,
): StoredAuthorization {
  const id = newId();
  const a = Authorization.parse({ ...input.authorization, id });
  const at = now.toISOString();
  db.prepare(
    `INSERT INTO authorizations (id, request_id, patient_mrn, authorization_json, signed_form_document_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, input.requestId, input.patientMrn, JSON.stringify(a), input.signedFormDocumentId ?? null, at, at);
  if (input.replaces) db.prepare('UPDATE authorizations SET superseded_by = ?, updated_at = ? WHERE id = ?').run(id, at, input.replaces);
  return getAuthorization(db, id);
}

/** One authorization. @throws AppError NOT_FOUND */
export function getAuthorization(db: Database, id: string): StoredAuthorization {
  const r = db.prepare('SELECT * FROM authorizations WHERE id = ?').get(id) as AuthRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', 'That authorization does not exist.');
  return toAuth(r);
}

/** Update an authorization's content in place (revocation, signed form). */
export function updateAuthorization(db: Database, a: Authorization, now: Date, signedFormDocumentId?: string): void {
  const parsed = Authorization.parse(a);
  db.prepare('UPDATE authorizations SET authorization_json = ?, updated_at = ?, signed_form_document_id = coalesce(?, signed_form_document_id) WHERE id = ?').run(
    JSON.stringify(parsed),
    now.toISOString(),
    signedFormDocumentId ?? null,
    parsed.id,
  );
}

// ------------------------------------------------------------------ Part 2 consents

export interface StoredConsent {
  id: string;
  requestId: string | null;
  consent: Part2Consent;
  createdAt: string;
}

/** Record a 42 CFR 2.31 consent on the patient (by MRN), noting the request it came with. */
export function insertPart2Consent(db: Database, input: { requestId: string; patientMrn: string; consent: Omit<Part2Consent, 'id'> }, now: Date): StoredConsent {
  const id = newId();
  const c = Part2Consent.parse({ ...input.consent, id });
  const at = now.toISOString();
  db.prepare('INSERT INTO part2_consents (id, request_id, patient_mrn, consent_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    id,
    input.requestId,
    input.patientMrn,
    JSON.stringify(c),
    at,
    at,
  );
  return { id, requestId: input.requestId, consent: c, createdAt: at };
}

/** One Part 2 consent with the patient it belongs to. @throws AppError NOT_FOUND */
export function getPart2Consent(db: Database, id: string): StoredConsent & { patientMrn: string } {
  const r = db.prepare('SELECT * FROM part2_consents WHERE id = ?').get(id) as
    | { id: string; request_id: string | null; patient_mrn: string; consent_json: string; created_at: string }
    | undefined;
  if (!r) throw new AppError('NOT_FOUND', 'That Part 2 consent does not exist.');
  return { id: r.id, requestId: r.request_id, patientMrn: r.patient_mrn, consent: Part2Consent.parse({ ...JSON.parse(r.consent_json), id: r.id }), createdAt: r.created_at };
}

/** Update a Part 2 consent's content in place (its revocation, 42 CFR 2.31(a)(6)); validated before writing. */
export function updatePart2Consent(db: Database, c: Part2Consent, now: Date): void {
  const parsed = Part2Consent.parse(c);
  const res = db.prepare('UPDATE part2_consents SET consent_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(parsed), now.toISOString(), parsed.id);
  if (res.changes === 0) throw new AppError('NOT_FOUND', 'That Part 2 consent does not exist.');
}

/** Every Part 2 consent on file for the patient. */
export function listPart2Consents(db: Database, patientMrn: string): StoredConsent[] {
  const rows = db.prepare('SELECT * FROM part2_consents WHERE patient_mrn = ? ORDER BY created_at').all(patientMrn) as Array<{
    id: string;
    request_id: string | null;
    consent_json: string;
    created_at: string;
  }>;
  return rows.map((r) => ({ id: r.id, requestId: r.request_id, consent: Part2Consent.parse({ ...JSON.parse(r.consent_json), id: r.id }), createdAt: r.created_at }));
}

// ------------------------------------------------------------------ unencrypted email

/** Record the individual's choice of unencrypted email (with the warning text shown). */
export function insertAcknowledgment(db: Database, input: { patientMrn: string; acknowledgment: Omit<UnencryptedEmailAcknowledgment, 'id'> }): UnencryptedEmailAcknowledgment {
  const id = newId();
  const a = UnencryptedEmailAcknowledgment.parse({ ...input.acknowledgment, id });
  db.prepare(
    'INSERT INTO unencrypted_email_acknowledgments (id, request_id, patient_mrn, acknowledgment_json, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(id, a.requestId ?? null, input.patientMrn, JSON.stringify(a), a.recordedBy, a.recordedAt);
  return a;
}

/** The patient's recorded choices, newest first. */
export function listAcknowledgments(db: Database, patientMrn: string): UnencryptedEmailAcknowledgment[] {
  const rows = db
    .prepare('SELECT id, acknowledgment_json FROM unencrypted_email_acknowledgments WHERE patient_mrn = ? ORDER BY recorded_at DESC, rowid DESC')
    .all(patientMrn) as Array<{ id: string; acknowledgment_json: string }>;
  return rows.map((r) => UnencryptedEmailAcknowledgment.parse({ ...JSON.parse(r.acknowledgment_json), id: r.id }));
}

/**
 * Mark one of the patient's recorded choices withdrawn at `at` (the row is kept).
 * @returns the choice as now stored
 * @throws AppError NOT_FOUND (no such choice for this patient) | VALIDATION_FAILED (already withdrawn)
 */
export function withdrawAcknowledgment(db: Database, patientMrn: string, id: string, at: Date): UnencryptedEmailAcknowledgment {
  const a = listAcknowledgments(db, patientMrn).find((x) => x.id === id);
  if (!a) throw new AppError('NOT_FOUND', 'That unencrypted-email choice does not exist for this patient.');
  if (a.withdrawnAt) throw new AppError('VALIDATION_FAILED', 'That unencrypted-email choice is already withdrawn.');
  const w = UnencryptedEmailAcknowledgment.parse({ ...a, withdrawnAt: at.toISOString() });
  db.prepare('UPDATE unencrypted_email_acknowledgments SET acknowledgment_json = ? WHERE id = ?').run(JSON.stringify(w), id);
  return w;
}

/**
 * The choice a release for `requestId` may rely on: the newest one not withdrawn
 * that is standing or made for this request (the engine still checks it).
 */
export function applicableAcknowledgment(db: Database, patientMrn: string, requestId: string): UnencryptedEmailAcknowledgment | undefined {
  return listAcknowledgments(db, patientMrn).find((a) => !a.withdrawnAt && (a.scope === 'standing' || a.requestId === requestId));
}

// ------------------------------------------------------------------ identity and authority checks (164.514(h))

/** Record what was checked, by whom, when. */
export function insertVerification(db: Database, v: Omit<IdentityVerificationT, 'id'>): IdentityVerificationT {
  const id = newId();
  db.prepare('INSERT INTO identity_verifications (id, request_id, subject, method, checked_by, checked_at, notes) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    id,
    v.requestId,
    v.subject,
    v.method,
    v.checkedBy,
    v.checkedAt,
    v.notes,
  );
  return { id, ...v };
}

const VerificationRow = z.object({
  id: z.string(),
  request_id: z.string(),
  subject: z.enum(['identity', 'authority']),
  method: z.string(),
  checked_by: z.string(),
  checked_at: z.string(),
  notes: z.string(),
});

/** The request's identity/authority checks, oldest first. */
export function listVerifications(db: Database, requestId: string): IdentityVerificationT[] {
  return (db.prepare('SELECT * FROM identity_verifications WHERE request_id = ? ORDER BY checked_at, rowid').all(requestId) as unknown[]).map((x) => {
    const r = VerificationRow.parse(x);
    return { id: r.id, requestId: r.request_id, subject: r.subject, method: r.method as IdentityVerificationT['method'], checkedBy: r.checked_by, checkedAt: r.checked_at, notes: r.notes };
  });
}

// ------------------------------------------------------------------ scope overrides (164.514(d)(3))

/** Record a reason to include an out-of-scope document. */
export function insertScopeOverride(db: Database, releaseId: string, o: ScopeOverride): string {
  const id = newId();
  const v = ScopeOverride.parse(o);
  db.prepare('INSERT INTO scope_overrides (id, release_id, document_id, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    id,
    releaseId,
    v.documentId,
    v.reason,
    v.recordedBy,
    v.recordedAt,
  );
  return id;
}

/** The release's recorded scope overrides. */
export function listScopeOverrides(db: Database, releaseId: string): ScopeOverride[] {
  const rows = db.prepare('SELECT document_id, reason, recorded_by, recorded_at FROM scope_overrides WHERE release_id = ? ORDER BY recorded_at').all(releaseId) as Array<{
    document_id: string;
    reason: string;
    recorded_by: string;
    recorded_at: string;
  }>;
  return rows.map((r) => ScopeOverride.parse({ documentId: r.document_id, reason: r.reason, recordedBy: r.recorded_by, recordedAt: r.recorded_at }));
}

/** Releases made for a request. */
export function releasesOfRequest(db: Database, requestId: string): Array<{ id: string; reference: string; status: 'draft' | 'sending' | 'sent' | 'failed' }> {
  return db.prepare('SELECT id, reference, status FROM releases WHERE request_id = ? ORDER BY created_at').all(requestId) as Array<{
    id: string;
    reference: string;
    status: 'draft' | 'sending' | 'sent' | 'failed';
  }>;
}

/** Record why a request was closed (denial reason, 164.524(d)(2); or a withdrawal note). */
export function setClosingReason(db: Database, requestId: string, reason: string): void {
  db.prepare('UPDATE requests SET closing_reason = ? WHERE id = ?').run(reason, requestId);
}

/** The recorded denial reason or withdrawal note, if any. */
export function closingReason(db: Database, requestId: string): string | null {
  const r = db.prepare('SELECT closing_reason FROM requests WHERE id = ?').get(requestId) as { closing_reason: string | null } | undefined;
  return r?.closing_reason ?? null;
}
