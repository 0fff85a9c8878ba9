/**
 * A conflict as staff see it (Settings → Practice server, "Needs a decision"): the request's reference and patient
 * name (shown to signed-in staff only) and, field by field in plain language, what differs between this
 * workstation's version and the practice server's. Nothing is merged here; the two versions are shown side by side.
 *
 * Source: 45 CFR 164.312(c)(1) integrity (a change on two workstations is shown, not silently merged).
 */
import type { PracticeConflictT } from '../../../shared/schemas/practice-server';
import type { ConflictRow } from './link-vault-repo';
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

function fieldsOf(r: SyncRecord, timeZone: string, now: Date): Array<[string, string]> {
  const q = r.request;
  return [
    ['Status', STATUS_WORDS[r.status] ?? r.status],
    ['Patient name', r.patient.name],
    ['Date of birth', r.patient.dateOfBirth],
    ['MRN', r.patient.mrn],
    ['Received', r.receivedAt],
    ['Due date', metaOf(r, timeZone, now).dueOn],
    ['Requester', q.requester.name],
    ['Recipients', q.recipients.map((x) => `${x.name} <${x.destination}>`).join('; ')],
    ['Records asked for', [q.scope.categories.join(', '), q.scope.from ?? '', q.scope.to ?? ''].filter(Boolean).join(' · ')],
    ['Form', `${q.form.format}${q.form.electronic ? ' (electronic)' : ''}`],
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
