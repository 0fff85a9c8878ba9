/**
 * The disclosure log as the audit reports read it: every transmission with its patient, request,
 * legal basis and per-part outcome; disclosures entered by hand; accounting suspensions.
 * Repository functions of (db, ...args). This is the ONE place the reports read transmission
 * parts, so a change of part statuses in the send path is adjusted here.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { CATEGORY_LABELS, type DocumentCategory, type LegalBasis } from '../../../shared/compliance';
import { newId } from '../support/ids';

/** Part statuses that mean the information left the practice (or may have: 'unconfirmed'). */
export const DISCLOSED_PART_STATUSES = ['sent', 'bounced', 'unconfirmed'] as const;

/** One transmission as a possible disclosure. */
export interface TransmissionDisclosure {
  transmissionId: string;
  releaseId: string;
  releaseReference: string;
  requestReference: string | null;
  /** When it left (ISO 8601): the first accepted part, else the transmission's time. */
  at: string;
  sender: string;
  method: string;
  recipientName: string;
  /** Email address, or the postal address named in the request for this recipient, when known. */
  recipientAddress: string | null;
  patientName: string;
  patientDob: string;
  patientMrn: string;
  legalBasis: LegalBasis | null;
  authorizationId: string | null;
  /** Plain description of the information: categories and pages. */
  description: string;
  /** Purpose statement (or a pointer to the written request). */
  purpose: string;
  /** Counts of parts per status ('sent', 'failed', …). */
  partStatuses: Record<string, number>;
  partsTotal: number;
  partsSent: number;
}

interface TxRow {
  id: string;
  release_id: string;
  at: string;
  sender: string;
  method: string;
  recipient_name: string;
  recipient_email: string;
  documents_json: string;
  legal_basis: string | null;
  authorization_id: string | null;
  parts_total: number | null;
  parts_sent: number | null;
  reference: string;
  patient_name: string;
  patient_dob: string;
  patient_mrn: string;
  request_reference: string | null;
  request_json: string | null;
  request_basis: string | null;
  first_sent_at: string | null;
  part_statuses: string | null;
}

/**
 * Every transmission (optionally of one patient, by exact MRN), oldest first, with what the reports need.
 * Reads `transmission_parts` for the per-part statuses.
 */
export function transmissionDisclosures(db: Database, patientMrn?: string): TransmissionDisclosure[] {
  const rows = db
    .prepare(
      `SELECT t.id, t.release_id, t.at, t.sender, t.method, t.recipient_name, t.recipient_email, t.documents_json, t.legal_basis,
         t.authorization_id, t.parts_total, t.parts_sent, r.reference, r.patient_name, r.patient_dob, r.patient_mrn,
         q.reference AS request_reference, q.request_json, q.basis AS request_basis,
         (SELECT min(p.sent_at) FROM transmission_parts p WHERE p.transmission_id = t.id AND p.sent_at IS NOT NULL) AS first_sent_at,
         (SELECT json_group_object(s, n) FROM (SELECT p.status AS s, count(*) AS n FROM transmission_parts p WHERE p.transmission_id = t.id GROUP BY p.status)) AS part_statuses
       FROM transmissions t JOIN releases r ON r.id = t.release_id LEFT JOIN requests q ON q.id = COALESCE(t.request_id, r.request_id)
       ${patientMrn ? 'WHERE r.patient_mrn = ?' : ''} ORDER BY t.at, t.id`,
    )
    .all(...(patientMrn ? [patientMrn] : [])) as TxRow[];
  return rows.map((r) => {
    const req = r.request_json ? (JSON.parse(r.request_json) as RequestJson) : null;
    const docs = JSON.parse(r.documents_json) as Array<{ pageCount: number }>;
    const pages = docs.reduce((n, d) => n + (d.pageCount ?? 0), 0);
    const cats = (req?.scope?.categories ?? []).map((c) => CATEGORY_LABELS[c as DocumentCategory] ?? c);
    const range = req?.scope?.from || req?.scope?.to ? ` dated ${req?.scope?.from ?? 'any time'} to ${req?.scope?.to ?? 'now'}` : '';
    const named = req?.recipients?.find((x) => x.name.trim().toLowerCase() === r.recipient_name.trim().toLowerCase());
    const basis = (r.legal_basis ?? r.request_basis ?? null) as LegalBasis | null;
    return {
      transmissionId: r.id,
      releaseId: r.release_id,
      releaseReference: r.reference,
      requestReference: r.request_reference,
      at: r.first_sent_at ?? r.at,
      sender: r.sender,
      method: r.method,
      recipientName: r.recipient_name,
      recipientAddress: r.recipient_email || named?.destination || null,
      patientName: r.patient_name,
      patientDob: r.patient_dob,
      patientMrn: r.patient_mrn,
      legalBasis: basis,
      authorizationId: r.authorization_id,
      description: `${cats.length ? cats.join(', ') : 'Medical records'}${range} (${docs.length} document${docs.length === 1 ? '' : 's'}, ${pages} page${pages === 1 ? '' : 's'})`,
      purpose: purposeOf(basis, req, r.request_reference),
      partStatuses: r.part_statuses ? (JSON.parse(r.part_statuses) as Record<string, number>) : {},
      partsTotal: Number(r.parts_total ?? 1),
      partsSent: Number(r.parts_sent ?? 1),
    };
  });
}

interface RequestJson {
  scope?: { categories?: string[]; from?: string; to?: string };
  recipients?: Array<{ name: string; destination: string }>;
  requester?: { name?: string; role?: string };
  tpo?: { purpose?: string; reason?: string };
}

function purposeOf(basis: LegalBasis | null, req: RequestJson | null, ref: string | null): string {
  const by = req?.requester?.name ? ` from ${req.requester.name}` : '';
  const copy = ref ? ` A copy of the written request (${ref}) is available.` : '';
  switch (basis) {
    case 'required_by_law':
      return `Disclosure required by law (45 CFR 164.512(a)), at the written request${by}.${copy}`;
    case 'hhs':
      return `Disclosure to the Secretary of HHS for a compliance review or investigation (45 CFR 164.502(a)(2)(ii)), at the request${by}.${copy}`;
    case 'tpo':
      return `${req?.tpo?.purpose ? req.tpo.purpose[0]!.toUpperCase() + req.tpo.purpose.slice(1) : 'Treatment, payment or health care operations'}${req?.tpo?.reason ? `: ${req.tpo.reason}` : ''}`;
    case 'authorization':
      return 'Under the individual’s written authorization (45 CFR 164.508)';
    case 'right_of_access':
      return 'Copy for the individual (right of access, 45 CFR 164.524)';
    case 'patient_directed':
      return 'Copy sent to a person the individual named in writing (45 CFR 164.524(c)(3)(ii))';
    default:
      return `Legal basis not recorded; review the request${by}.${copy}`;
  }
}

/** Categories of disclosures entered by hand (164.512 paragraphs), all reportable under 164.528. */
export const MANUAL_DISCLOSURE_CATEGORIES = {
  public_health: { label: 'Public health report', cite: '45 CFR 164.512(b)' },
  abuse_neglect: { label: 'Report of abuse, neglect or domestic violence', cite: '45 CFR 164.512(c)' },
  health_oversight: { label: 'Health oversight activity', cite: '45 CFR 164.512(d)' },
  legal_process: { label: 'Court order, subpoena or other legal process', cite: '45 CFR 164.512(e)' },
  law_enforcement: { label: 'Law enforcement purpose', cite: '45 CFR 164.512(f)' },
  decedents: { label: 'Coroner, medical examiner or funeral director', cite: '45 CFR 164.512(g)' },
  organ_donation: { label: 'Organ, eye or tissue donation', cite: '45 CFR 164.512(h)' },
  research: { label: 'Research under a waiver of authorization', cite: '45 CFR 164.512(i)' },
  serious_threat: { label: 'To avert a serious threat to health or safety', cite: '45 CFR 164.512(j)' },
  workers_compensation: { label: 'Workers’ compensation', cite: '45 CFR 164.512(l)' },
  required_by_law: { label: 'Other disclosure required by law', cite: '45 CFR 164.512(a)' },
} as const;
export type ManualDisclosureCategory = keyof typeof MANUAL_DISCLOSURE_CATEGORIES;

/** A disclosure made outside ReleaseDesk, entered by hand. */
export interface ManualDisclosure {
  id: string;
  patientName: string;
  patientDob: string;
  patientMrn: string;
  /** Calendar date `YYYY-MM-DD` of the disclosure. */
  disclosedOn: string;
  recipientName: string;
  recipientAddress: string | null;
  description: string;
  purpose: string;
  category: ManualDisclosureCategory;
  enteredBy: string;
  enteredAt: string;
}

/** Record a disclosure made outside ReleaseDesk. Call inside the audited transaction. @returns its id */
export function insertManualDisclosure(db: Database, d: Omit<ManualDisclosure, 'id'>): string {
  const id = newId();
  db.prepare(
    `INSERT INTO manual_disclosures (id, patient_name, patient_dob, patient_mrn, disclosed_on, recipient_name, recipient_address, description, purpose, category, entered_by, entered_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, d.patientName, d.patientDob, d.patientMrn, d.disclosedOn, d.recipientName, d.recipientAddress, d.description, d.purpose, d.category, d.enteredBy, d.enteredAt);
  return id;
}

/** Disclosures entered by hand (optionally of one patient), oldest first. */
export function manualDisclosures(db: Database, patientMrn?: string): ManualDisclosure[] {
  return db
    .prepare(
      `SELECT id, patient_name AS patientName, patient_dob AS patientDob, patient_mrn AS patientMrn, disclosed_on AS disclosedOn,
         recipient_name AS recipientName, recipient_address AS recipientAddress, description, purpose, category, entered_by AS enteredBy, entered_at AS enteredAt
       FROM manual_disclosures ${patientMrn ? 'WHERE patient_mrn = ?' : ''} ORDER BY disclosed_on, entered_at`,
    )
    .all(...(patientMrn ? [patientMrn] : [])) as ManualDisclosure[];
}

/** A temporary suspension of the individual's right to an accounting (164.528(a)(2)). */
export interface AccountingSuspension {
  id: string;
  patientMrn: string;
  agency: string;
  agencyKind: 'health_oversight' | 'law_enforcement';
  statement: 'written' | 'oral';
  startsOn: string;
  endsOn: string;
  enteredBy: string;
  enteredAt: string;
}

/** Record a suspension. Call inside the audited transaction. @returns its id */
export function insertSuspension(db: Database, s: Omit<AccountingSuspension, 'id'>): string {
  const id = newId();
  db.prepare(
    `INSERT INTO accounting_suspensions (id, patient_mrn, agency, agency_kind, statement, starts_on, ends_on, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, s.patientMrn, s.agency, s.agencyKind, s.statement, s.startsOn, s.endsOn, s.enteredBy, s.enteredAt);
  return id;
}

/** Suspensions recorded for a patient (exact MRN), oldest first. */
export function suspensionsOf(db: Database, patientMrn: string): AccountingSuspension[] {
  return db
    .prepare(
      `SELECT id, patient_mrn AS patientMrn, agency, agency_kind AS agencyKind, statement, starts_on AS startsOn, ends_on AS endsOn, entered_by AS enteredBy, entered_at AS enteredAt
       FROM accounting_suspensions WHERE patient_mrn = ? ORDER BY starts_on`,
    )
    .all(patientMrn) as AccountingSuspension[];
}

/** Patients known to the vault (from releases, requests and disclosures entered by hand), by name, for pickers. */
export function knownPatients(db: Database, query: string, limit = 20): Array<{ name: string; dateOfBirth: string; mrn: string }> {
  const q = `%${query.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  return db
    .prepare(
      `SELECT name, dateOfBirth, mrn FROM (
         SELECT patient_name AS name, patient_dob AS dateOfBirth, patient_mrn AS mrn FROM releases
         UNION SELECT patient_name, patient_dob, patient_mrn FROM requests
         UNION SELECT patient_name, patient_dob, patient_mrn FROM manual_disclosures)
       WHERE name LIKE ? ESCAPE '\\' OR mrn LIKE ? ESCAPE '\\' GROUP BY mrn ORDER BY name LIMIT ?`,
    )
    .all(q, q, limit) as Array<{ name: string; dateOfBirth: string; mrn: string }>;
}
