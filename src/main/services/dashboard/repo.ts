/** SQL of the compliance dashboard: current authorizations of open requests, recipient keys of unfinished releases. */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** Current (not replaced) authorizations of requests in `openStatuses`, with the request's reference. */
export function currentAuthorizations(db: Database, openStatuses: readonly string[]): Array<{ requestId: string; reference: string; authorizationJson: string }> {
  return db
    .prepare(
      `SELECT q.id AS requestId, q.reference, a.authorization_json AS authorizationJson
         FROM authorizations a JOIN requests q ON q.id = a.request_id
        WHERE a.superseded_by IS NULL AND q.status IN (${openStatuses.map(() => '?').join(',')})
        ORDER BY q.reference`,
    )
    .all(...openStatuses) as Array<{ requestId: string; reference: string; authorizationJson: string }>;
}

/** Releases not yet completed that hold a recipient's OpenPGP key. */
export function unfinishedReleaseKeys(db: Database): Array<{ releaseId: string; reference: string; armoredKey: string }> {
  return db
    .prepare(
      `SELECT id AS releaseId, reference, recipient_key_armored AS armoredKey FROM releases
        WHERE recipient_key_armored IS NOT NULL AND status NOT IN ('sent','cancelled') ORDER BY reference`,
    )
    .all() as Array<{ releaseId: string; reference: string; armoredKey: string }>;
}

/**
 * Unfinished releases with a confirmed record file that shows another patient on every identifier (outcome
 * 'mismatch', none of the patient's name, date of birth or MRN found): candidates for the privacy officer's
 * approval item; the caller decides with documents/patient-check.ts listPatientChecks.
 */
export function releasesWithConfirmedForeignFiles(db: Database): Array<{ releaseId: string; reference: string }> {
  return db
    .prepare(
      `SELECT DISTINCT r.id AS releaseId, r.reference FROM releases r JOIN document_patient_checks c ON c.release_id = r.id
        WHERE r.status NOT IN ('sent','cancelled') AND c.outcome = 'mismatch' AND c.name_found = 0 AND c.dob_found = 0 AND c.mrn_found = 0
          AND c.confirmed_by IS NOT NULL ORDER BY r.reference`,
    )
    .all() as Array<{ releaseId: string; reference: string }>;
}
