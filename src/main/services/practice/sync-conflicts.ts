/**
 * A conflict as staff see it (Settings → Practice server, "Needs a decision"): the request's reference and patient
 * name (shown to signed-in staff only) and, field by field in plain language, what differs between this
 * workstation's version and the practice server's. Nothing is merged here; the two versions are shown side by side.
 *
 * Source: 45 CFR 164.312(c)(1) integrity (a change on two workstations is shown, not silently merged).
 */
import { CATEGORY_LABELS, type DocumentCategory } from '../../../shared/compliance';
import { formatLabel } from '../../../shared/request-words';
import type { PracticeConflictT } from '../../../shared/schemas/practice-server';
import type { ConflictRow } from './link-vault-repo';
import type { RecordConflictRow } from './sync-vault-repo';
import { contentHash, metaOf, SyncRecord } from './sync-record';

const STATUS_WORDS: Record<string, string> = {
  received: 'Received',
  verifying: 'Verifying identity',
  ready: 'Ready to release',
  sent: 'Sent',
  partly_sent: 'Partly sent',
  failed: 'Sending failed',
  denied: 'Denied',
  withdrawn: 'Withdrawn',
};

/** A calendar date (YYYY-MM-DD) as staff read it elsewhere, e.g. "Mar 3, 2026" (never shifted by a time zone). */
function day(isoDate: string | null | undefined): string {
  if (!isoDate) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toLocaleDateString('en-US', { dateStyle: 'medium', timeZone: 'UTC' }) : isoDate;
}

/** An instant in the practice's time zone, e.g. "Mar 3, 2026, 2:05 PM". */
function instant(iso: string, timeZone: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone });
}

function fieldsOf(r: SyncRecord, timeZone: string, now: Date): Array<[string, string]> {
  const q = r.request;
  const categories = q.scope.categories.map((c) => CATEGORY_LABELS[c as DocumentCategory] ?? c.replace(/_/g, ' ')).join(', ');
  const period = q.scope.from || q.scope.to ? `${day(q.scope.from) || 'any date'} to ${day(q.scope.to) || 'today'}` : '';
  return [
    ['Status', STATUS_WORDS[r.status] ?? r.status],
    ['Patient name', r.patient.name],
    ['Date of birth', day(r.patient.dateOfBirth)],
    ['MRN', r.patient.mrn],
    ['Received', instant(r.receivedAt, timeZone)],
    ['Due date', day(metaOf(r, timeZone, now).dueOn)],
    ['Requester', q.requester.name],
    ['Recipients', q.recipients.map((x) => `${x.name} <${x.destination}>`).join('; ')],
    ['Records asked for', [categories, period].filter(Boolean).join(' · ')],
    ['Form', formatLabel(q.form)],
    ['Extensions', String(q.extensions.length)],
    ['Closing reason', r.closingReason ?? ''],
  ];
}

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 299)}…` : s);

/** The view of one conflict. */
export function conflictView(c: ConflictRow, timeZone: string, now: Date): PracticeConflictT {
  const local = SyncRecord.parse(JSON.parse(c.localJson));
  const server = SyncRecord.parse(JSON.parse(c.serverJson));
  const a = fieldsOf(local, timeZone, now);
  const b = new Map(fieldsOf(server, timeZone, now));
  const fields = a.filter(([label, value]) => b.get(label) !== value).map(([label, value]) => ({ label, workstation: clip(value), server: clip(b.get(label) ?? '') }));
  if (fields.length === 0 && contentHash(local) !== contentHash(server)) fields.push({ label: 'Other details', workstation: 'Changed on this workstation', server: 'Changed on the practice server' });
  return { id: c.id, requestId: c.requestId, reference: local.reference, patientName: local.patient.name, detectedAt: c.detectedAt, fields };
}

/** Plain-language names of the columns staff see in a record conflict (others: the column name in words). */
const COLUMN_WORDS: Record<string, string> = {
  status: 'Status',
  category: 'Category',
  document_date: 'Date of service',
  also_categories: 'Also contains',
  classified: 'Classified',
  removed_at: 'Taken out',
  label: 'File label',
  authorization_json: 'Authorization details',
  superseded_by: 'Replaced by',
  consent_json: 'Consent details',
  acknowledgment_json: 'Acknowledgment details',
  method: 'How it was checked',
  subject: 'What was checked',
  notes: 'Notes',
  recipient_name: 'Recipient',
  recipient_email: 'Recipient email',
  updated_at: 'Last changed',
};

const KIND_WORDS: Record<string, string> = {
  release: 'Release',
  document: 'Document',
  authorization: 'Authorization',
  verification: 'Identity check',
  part2_consent: 'Part 2 consent',
  email_acknowledgment: 'Unencrypted email choice',
};

const show = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * The view of a conflict of a record of another kind than a request (sync-pass.ts): the request it belongs to
 * (reference, patient name) and the columns that differ, in plain language.
 * @param request the local request the record belongs to, when this vault has it
 */
export function recordConflictView(c: RecordConflictRow, request: { id: string; reference: string; patientName: string } | undefined): PracticeConflictT {
  const local = JSON.parse(c.localJson) as Record<string, unknown>;
  const server = JSON.parse(c.serverJson) as Record<string, unknown>;
  const cols = [...new Set([...Object.keys(local), ...Object.keys(server)])].filter((k) => show(local[k]) !== show(server[k]));
  const label = (k: string) => `${KIND_WORDS[c.kind] ?? 'Record'}: ${COLUMN_WORDS[k] ?? k.replace(/_/g, ' ')}`;
  const fields = cols.map((k) => ({ label: label(k), workstation: clip(show(local[k])), server: clip(show(server[k])) }));
  return { id: c.id, requestId: request?.id ?? '', reference: request?.reference ?? '', patientName: request?.patientName ?? '', detectedAt: c.detectedAt, fields };
}
