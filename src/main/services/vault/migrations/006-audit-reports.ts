import type { Migration } from './types';

/**
 * Audit reports (issue #10): checkpoints of the audit chain head, disclosures made outside ReleaseDesk
 * (entered by hand for the accounting of disclosures, 45 CFR 164.528), and temporary suspensions of an
 * individual's right to an accounting (164.528(a)(2)). All three are append-only: the database refuses
 * UPDATE and DELETE, like the audit log itself (164.312(b), (c)(1); 164.530(j) six-year retention).
 */
export const migration: Migration = {
  version: 6,
  name: 'audit reports: chain checkpoints, disclosures entered by hand, accounting suspensions',
  up(db) {
    db.exec(`
      -- One row per checkpoint of the audit chain head; the same line is appended to the anchor file beside
      -- the vault (audit/checkpoints.ts). counter is the monotonic checkpoint number; mac authenticates the row.
      CREATE TABLE audit_checkpoints (
        counter  INTEGER PRIMARY KEY,
        seq      INTEGER NOT NULL,
        hash     TEXT NOT NULL,
        at       TEXT NOT NULL,
        reason   TEXT NOT NULL,
        mac      TEXT NOT NULL
      ) STRICT;

      CREATE TABLE manual_disclosures (
        id                 TEXT PRIMARY KEY,
        patient_name       TEXT NOT NULL,
        patient_dob        TEXT NOT NULL,
        patient_mrn        TEXT NOT NULL,
        disclosed_on       TEXT NOT NULL,
        recipient_name     TEXT NOT NULL,
        recipient_address  TEXT,
        description        TEXT NOT NULL,
        purpose            TEXT NOT NULL,
        category           TEXT NOT NULL,
        entered_by         TEXT NOT NULL,
        entered_at         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX manual_disclosures_by_patient ON manual_disclosures(patient_mrn, disclosed_on);

      CREATE TABLE accounting_suspensions (
        id            TEXT PRIMARY KEY,
        patient_mrn   TEXT NOT NULL,
        agency        TEXT NOT NULL,
        agency_kind   TEXT NOT NULL CHECK (agency_kind IN ('health_oversight','law_enforcement')),
        statement     TEXT NOT NULL CHECK (statement IN ('written','oral')),
        starts_on     TEXT NOT NULL,
        ends_on       TEXT NOT NULL,
        entered_by    TEXT NOT NULL,
        entered_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX accounting_suspensions_by_patient ON accounting_suspensions(patient_mrn);

      CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'append-only'); END;
      CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'append-only'); END;
      CREATE TRIGGER manual_disclosures_no_update BEFORE UPDATE ON manual_disclosures BEGIN SELECT RAISE(ABORT, 'append-only'); END;
      CREATE TRIGGER manual_disclosures_no_delete BEFORE DELETE ON manual_disclosures BEGIN SELECT RAISE(ABORT, 'append-only'); END;
      CREATE TRIGGER accounting_suspensions_no_update BEFORE UPDATE ON accounting_suspensions BEGIN SELECT RAISE(ABORT, 'append-only'); END;
      CREATE TRIGGER accounting_suspensions_no_delete BEFORE DELETE ON accounting_suspensions BEGIN SELECT RAISE(ABORT, 'append-only'); END;

      -- The Audit screen pages and filters the log by time and staff member.
      CREATE INDEX audit_events_by_at ON audit_events(at);
      CREATE INDEX audit_events_by_subject ON audit_events(subject_type, subject_id);
    `);
  },
};
