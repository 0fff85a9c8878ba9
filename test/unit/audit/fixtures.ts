/** Synthetic disclosure history written straight into a migrated database (test data only, no real PHI). */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { LegalBasis } from '../../../src/shared/compliance';

let n = 0;

export interface SeedTransmission {
  patient?: { name: string; dob: string; mrn: string };
  basis: LegalBasis | null;
  at: string;
  method?: 'openpgp-pgp-mime' | 'password-pdf' | 'tls-only-email' | 'export' | 'print';
  recipientName?: string;
  recipientEmail?: string;
  /** Part statuses (email methods). Omit for export/print. */
  parts?: string[];
  requesterName?: string;
}

export const PATIENT = { name: 'Zyxwv Testpatient', dob: '1970-01-02', mrn: 'MRN-TEST-1' };

/** Insert request + release + transmission (+ parts); returns the release reference. */
export function seedTransmission(db: Database, s: SeedTransmission): string {
  n++;
  const p = s.patient ?? PATIENT;
  const reqId = `req_${String(n).padStart(6, '0')}`;
  const relId = `rel_${String(n).padStart(6, '0')}`;
  const txId = `txm_${String(n).padStart(6, '0')}`;
  const ref = `R-${s.at.slice(0, 4)}-${String(n).padStart(5, '0')}`;
  const recipient = s.recipientName ?? 'Qwfp Recipient';
  const requestJson = {
    scope: { categories: ['lab_results'], from: '2019-01-01' },
    recipients: [{ name: recipient, destination: s.recipientEmail ?? '12 Example Road, Springfield' }],
    requester: { name: s.requesterName ?? 'Requesting Office', role: 'government' },
    ...(s.basis === 'tpo' ? { tpo: { purpose: 'treatment', reason: 'Referral to cardiology' } } : {}),
  };
  db.prepare(
    `INSERT INTO requests (id, reference, patient_name, patient_dob, patient_mrn, basis, received_at, status, request_json, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?)`,
  ).run(reqId, `Q-${s.at.slice(0, 4)}-${String(n).padStart(5, '0')}`, p.name, p.dob, p.mrn, s.basis ?? 'required_by_law', s.at, JSON.stringify(requestJson), s.at, s.at);
  db.prepare(
    `INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_name, recipient_email, request_id)
     VALUES (?, ?, 'sent', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(relId, ref, s.at, s.at, p.name, p.dob, p.mrn, recipient, s.recipientEmail ?? '', reqId);
  const parts = s.parts ?? [];
  db.prepare(
    `INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher,
       recipient_key_fpr, request_id, legal_basis, parts_total, parts_sent)
     VALUES (?, ?, ?, 'Dana Frontdesk', ?, ?, ?, ?, '', '', '', '', '', ?, ?, ?, ?)`,
  ).run(
    txId, relId, s.at, recipient, s.recipientEmail ?? '', s.method ?? 'password-pdf',
    JSON.stringify([{ label: 'record-1.pdf', sha256: 'a'.repeat(64), pageCount: 3 }]),
    reqId, s.basis, Math.max(1, parts.length), parts.filter((x) => x === 'sent').length,
  );
  parts.forEach((status, i) => {
    db.prepare(
      `INSERT INTO transmission_parts (transmission_id, part, part_of, status, message_id, sent_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(txId, i + 1, parts.length, status, `<m${n}.${i}@example.test>`, status === 'sent' ? s.at : null);
  });
  return ref;
}
