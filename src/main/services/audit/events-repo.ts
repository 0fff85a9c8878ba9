/**
 * Reading the audit log for people: events with the patient, release and request they concern
 * (resolved from the vault, never from the event's detail), filtered and paged in SQL.
 * Repository functions of (db, ...args).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AUDIT_ACTIONS, actionsOfKind, actionVerb, type AuditActionKind } from '../../../shared/audit-labels';
import { camelPick } from '../support/rows';

/** Filters of the Audit screen and the audit report. Instants are ISO 8601; `to` is exclusive. */
export interface AuditFilter {
  from?: string;
  to?: string;
  actor?: string;
  kind?: AuditActionKind;
  outcome?: 'success' | 'failure' | 'refused';
  /** Patient name (part, case-insensitive for Latin letters) or exact MRN. */
  patient?: string;
  /** Exact release ("R-…") or request ("Q-…") reference. */
  reference?: string;
  /** Free text: staff member, reference, patient, or words of the plain event name. */
  search?: string;
}

/** An event with its resolved context. */
export interface AuditEventRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  outcome: 'success' | 'failure' | 'refused';
  subjectType: string | null;
  subjectId: string | null;
  detail: Record<string, string | number | boolean>;
  hash: string;
  releaseId: string | null;
  releaseReference: string | null;
  requestId: string | null;
  requestReference: string | null;
  patientName: string | null;
  patientMrn: string | null;
  recipientName: string | null;
}

const RESOLVED = `
  WITH ev AS (
    SELECT e.*,
      COALESCE(CASE e.subject_type
        WHEN 'release' THEN e.subject_id
        WHEN 'document' THEN (SELECT release_id FROM documents WHERE id = e.subject_id)
        WHEN 'printable' THEN (SELECT release_id FROM release_artifacts WHERE id = e.subject_id)
      END, json_extract(e.detail_json, '$.releaseId')) AS rel_id,
      COALESCE(CASE e.subject_type
        WHEN 'request' THEN e.subject_id
        WHEN 'authorization' THEN (SELECT request_id FROM authorizations WHERE id = e.subject_id)
        WHEN 'document' THEN (SELECT request_id FROM documents WHERE id = e.subject_id)
      END, json_extract(e.detail_json, '$.requestId')) AS req_id
    FROM audit_events e
  ), x AS (
    SELECT ev.seq, ev.at, ev.actor, ev.action, ev.outcome, ev.subject_type, ev.subject_id, ev.detail_json, ev.hash,
      rl.id AS release_id, rl.reference AS release_ref, rq.id AS request_id, rq.reference AS request_ref,
      COALESCE(rl.patient_name, rq.patient_name, md.patient_name) AS patient_name,
      COALESCE(rl.patient_mrn, rq.patient_mrn, CASE WHEN ev.subject_type = 'patient' THEN ev.subject_id END, au.patient_mrn) AS patient_mrn,
      COALESCE((SELECT t.recipient_name FROM transmissions t WHERE t.id = json_extract(ev.detail_json, '$.transmissionId')), rl.recipient_name) AS recipient_name
    FROM ev
    LEFT JOIN releases rl ON rl.id = ev.rel_id
    LEFT JOIN requests rq ON rq.id = COALESCE(ev.req_id, rl.request_id)
    LEFT JOIN authorizations au ON ev.subject_type = 'authorization' AND au.id = ev.subject_id
    LEFT JOIN (SELECT patient_mrn, max(patient_name) AS patient_name FROM (
        SELECT patient_mrn, patient_name FROM releases UNION SELECT patient_mrn, patient_name FROM requests
        UNION SELECT patient_mrn, patient_name FROM manual_disclosures) GROUP BY patient_mrn) md
      ON ev.subject_type = 'patient' AND md.patient_mrn = ev.subject_id
  )`;

function where(f: AuditFilter): { sql: string; params: unknown[] } {
  const c: string[] = [];
  const p: unknown[] = [];
  if (f.from) {
    c.push('at >= ?');
    p.push(f.from);
  }
  if (f.to) {
    c.push('at < ?');
    p.push(f.to);
  }
  if (f.actor) {
    c.push('actor = ?');
    p.push(f.actor);
  }
  if (f.outcome) {
    c.push('outcome = ?');
    p.push(f.outcome);
  }
  if (f.kind) {
    if (f.kind === 'security') {
      const others = Object.keys(AUDIT_ACTIONS).filter((a) => AUDIT_ACTIONS[a]!.kind !== 'security');
      c.push(`action NOT IN (${others.map(() => '?').join(',')})`);
      p.push(...others);
    } else {
      const codes = actionsOfKind(f.kind);
      c.push(`action IN (${codes.map(() => '?').join(',')})`);
      p.push(...codes);
    }
  }
  if (f.patient) {
    c.push('(patient_name LIKE ? OR patient_mrn = ?)');
    p.push(`%${escapeLike(f.patient)}%`, f.patient);
  }
  if (f.reference) {
    c.push('(release_ref = ? OR request_ref = ?)');
    p.push(f.reference, f.reference);
  }
  if (f.search) {
    const q = `%${escapeLike(f.search)}%`;
    const codes = Object.keys(AUDIT_ACTIONS).filter((a) => actionVerb(a).toLowerCase().includes(f.search!.toLowerCase()));
    c.push(`(actor LIKE ? OR release_ref LIKE ? OR request_ref LIKE ? OR patient_name LIKE ? OR patient_mrn LIKE ? OR recipient_name LIKE ?${codes.length ? ` OR action IN (${codes.map(() => '?').join(',')})` : ''})`);
    p.push(q, q, q, q, q, q, ...codes);
  }
  return { sql: c.length ? `WHERE ${c.map((x) => x.replace(/LIKE \?/g, "LIKE ? ESCAPE '\\'")).join(' AND ')}` : '', params: p };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

interface Row {
  seq: number;
  at: string;
  actor: string;
  action: string;
  outcome: AuditEventRow['outcome'];
  subject_type: string | null;
  subject_id: string | null;
  detail_json: string;
  hash: string;
  release_id: string | null;
  release_ref: string | null;
  request_id: string | null;
  request_ref: string | null;
  patient_name: string | null;
  patient_mrn: string | null;
  recipient_name: string | null;
}

function toRow(r: Row): AuditEventRow {
  return {
    ...camelPick(r, ['seq', 'at', 'actor', 'action', 'outcome', 'subject_type', 'subject_id']),
    detail: JSON.parse(r.detail_json) as AuditEventRow['detail'],
    hash: r.hash,
    releaseId: r.release_id,
    releaseReference: r.release_ref,
    requestId: r.request_id,
    requestReference: r.request_ref,
    ...camelPick(r, ['patient_name', 'patient_mrn', 'recipient_name']),
  };
}

/**
 * One page of events matching `f`, newest first, and how many match in all.
 * @param page offset and limit (rows)
 */
export function queryAuditEvents(db: Database, f: AuditFilter, page: { offset: number; limit: number }): { events: AuditEventRow[]; total: number } {
  const w = where(f);
  const total = (db.prepare(`${RESOLVED} SELECT count(*) AS n FROM x ${w.sql}`).get(...w.params) as { n: number }).n;
  const rows = db.prepare(`${RESOLVED} SELECT * FROM x ${w.sql} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...w.params, page.limit, page.offset) as Row[];
  return { events: rows.map(toRow), total };
}

/** Every event matching `f`, oldest first (for reports), in batches so a long log is never all in memory twice. */
export function* iterateAuditEvents(db: Database, f: AuditFilter): Generator<AuditEventRow> {
  const w = where(f);
  for (const r of db.prepare(`${RESOLVED} SELECT * FROM x ${w.sql} ORDER BY seq`).iterate(...w.params) as Iterable<Row>) yield toRow(r);
}

/** Staff members who appear in the log (for the filter), alphabetical. */
export function auditActors(db: Database): string[] {
  return (db.prepare('SELECT DISTINCT actor FROM audit_events ORDER BY actor').all() as Array<{ actor: string }>).map((r) => r.actor);
}

/** Count of events matching `f`. */
export function countAuditEvents(db: Database, f: AuditFilter): number {
  const w = where(f);
  return (db.prepare(`${RESOLVED} SELECT count(*) AS n FROM x ${w.sql}`).get(...w.params) as { n: number }).n;
}
