/**
 * A request as workstations exchange it through the practice server (issue #17): every column of the local
 * `requests` row, the engine view parsed (src/shared/compliance.ts ReleaseRequest). It travels sealed
 * (sync-repo.ts), never in clear. Its content hash (SHA-256 over the parts staff can change, keys sorted) tells
 * whether either side changed a request since the version both had in common.
 *
 * Source: 45 CFR 164.312(c)(1) integrity (a change is detected, never merged silently), 164.524(b)(2) (the due date
 * the server keeps in clear is the 30-day clock of the request).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ReleaseRequest, RequestStatus } from '../../../shared/compliance';
import { accessClock } from '../compliance/deadlines';
import { localDate } from '../compliance/dates';
import { ACCESS_BASES } from '../compliance/types';
import type { LocalRequestRow } from './link-vault-repo';
import type { PracticeRequestPhi } from './requests-repo';

/** See the module comment. */
export const SyncRecord = z.object({
  id: z.string().min(1).max(64),
  reference: z.string().min(1).max(64),
  patient: z.object({ name: z.string(), dateOfBirth: z.string(), mrn: z.string() }),
  basis: z.string(),
  receivedAt: z.string(),
  status: RequestStatus,
  request: ReleaseRequest,
  closingReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SyncRecord = z.infer<typeof SyncRecord>;

/** The record of a local request row. @throws ZodError for a damaged row */
export function recordOfRow(r: LocalRequestRow): SyncRecord {
  return SyncRecord.parse({
    id: r.id,
    reference: r.reference,
    patient: { name: r.patient_name, dateOfBirth: r.patient_dob, mrn: r.patient_mrn },
    basis: r.basis,
    receivedAt: r.received_at,
    status: r.status,
    request: JSON.parse(r.request_json),
    closingReason: r.closing_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

/** The local row of a record, under the given local reference. */
export function rowOfRecord(rec: SyncRecord, reference: string): LocalRequestRow {
  return {
    id: rec.id,
    reference,
    patient_name: rec.patient.name,
    patient_dob: rec.patient.dateOfBirth,
    patient_mrn: rec.patient.mrn,
    basis: rec.basis,
    received_at: rec.receivedAt,
    status: rec.status,
    request_json: JSON.stringify(rec.request),
    closing_reason: rec.closingReason,
    created_at: rec.createdAt,
    updated_at: rec.updatedAt,
  };
}

/** JSON with object keys sorted and undefined members left out (the same value always gives the same text). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * SHA-256 (hex) of what staff can change: patient, basis, received time, status, the engine view and the closing
 * reason. Not the reference (each workstation may show its own) nor the timestamps.
 */
export function contentHash(rec: SyncRecord): string {
  const { patient, basis, receivedAt, status, request, closingReason } = rec;
  return createHash('sha256').update(canonical({ patient, basis, receivedAt, status, request, closingReason }), 'utf8').digest('hex');
}

/** The clear metadata the server keeps: status, received and due dates (YYYY-MM-DD in the practice's zone). */
export function metaOf(rec: SyncRecord, timeZone: string, now: Date): { status: RequestStatus; receivedOn: string; dueOn: string } {
  const receivedOn = localDate(new Date(rec.receivedAt), timeZone);
  const access = (ACCESS_BASES as readonly string[]).includes(rec.request.basis);
  const dueOn = access ? accessClock(rec.request, now, timeZone).effectiveDueDate : receivedOn;
  return { status: rec.status, receivedOn, dueOn: dueOn < receivedOn ? receivedOn : dueOn };
}

/** The request's PHI in the searchable shape of requests-repo.ts (sealed too; MRN and email blind-indexed). */
export function phiOf(rec: SyncRecord): PracticeRequestPhi {
  const email = rec.request.recipients.map((r) => r.destination).find((d) => /^[^\s@]+@[^\s@]+$/.test(d)) ?? null;
  return {
    patientName: rec.patient.name.slice(0, 200) || '-',
    dateOfBirth: /^\d{4}-\d{2}-\d{2}$/.test(rec.patient.dateOfBirth) ? rec.patient.dateOfBirth : '1900-01-01',
    mrn: rec.patient.mrn.trim() ? rec.patient.mrn.trim().slice(0, 64) : null,
    requesterName: rec.request.requester.name.trim() ? rec.request.requester.name.trim().slice(0, 200) : null,
    requesterEmail: email && email.length <= 254 ? email : null,
    description: '',
  };
}
