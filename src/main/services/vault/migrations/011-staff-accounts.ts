import { refuseChange } from './schema-parts';
import type { Migration } from './types';

/**
 * Staff accounts, roles, MFA and two-person approval (issue #11; 45 CFR 164.312(a)(2)(i) unique user
 * identification, 164.312(d) person or entity authentication, 164.308(a)(4) access authorization).
 *
 * - users: one row per staff member. `name` is also the sign-in name (unique, case-insensitive). `role` is one of
 *   administrator | privacy_officer | front_desk. `active` = 0 after deactivation (the row stays: the audit log names
 *   it). The TOTP secret (RFC 6238, base32) lives here, inside the encrypted vault; `mfa_last_step` is the last
 *   accepted 30-second time step, so a code is never accepted twice. Passphrases are NOT here: each user's
 *   passphrase wraps the vault key in vault.kdf.json (vault/keyring.ts).
 * - user_recovery_codes: one-time MFA recovery codes, stored as SHA-256 hashes; `used_at` set when spent.
 * - release_approvals: a privacy officer's approval of a third-party release (two-person rule), bound to a digest of
 *   the release's record files and recipient, so a change after approval needs a new approval. Never deleted.
 * - releases.prepared_by: the user who created the release (the approver must be someone else).
 * - audit_events.actor_id: the acting user's id (null for events before accounts and for system events).
 */
export const migration: Migration = {
  version: 11,
  name: 'staff accounts, MFA, two-person approval, audit actor id',
  up(db) {
    db.exec(`
      CREATE TABLE users (
        id               TEXT PRIMARY KEY,
        name             TEXT NOT NULL COLLATE NOCASE UNIQUE,
        role             TEXT NOT NULL CHECK (role IN ('administrator','privacy_officer','front_desk')),
        active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
        created_at       TEXT NOT NULL,
        created_by       TEXT,
        deactivated_at   TEXT,
        passphrase_changed_at TEXT,
        mfa_secret       TEXT,
        mfa_enrolled_at  TEXT,
        mfa_pending_secret TEXT,
        mfa_last_step    INTEGER
      ) STRICT;
      ${refuseChange('users', 'users are deactivated, never deleted')}
      CREATE TABLE user_recovery_codes (
        user_id    TEXT NOT NULL REFERENCES users(id),
        code_hash  TEXT NOT NULL,
        created_at TEXT NOT NULL,
        used_at    TEXT,
        PRIMARY KEY (user_id, code_hash)
      ) STRICT;
      CREATE TABLE release_approvals (
        id             TEXT PRIMARY KEY,
        release_id     TEXT NOT NULL REFERENCES releases(id),
        approved_by    TEXT NOT NULL REFERENCES users(id),
        approved_at    TEXT NOT NULL,
        content_digest TEXT NOT NULL
      ) STRICT;
      CREATE INDEX release_approvals_release ON release_approvals(release_id);
      ${refuseChange('release_approvals', 'approvals are kept')}
      ALTER TABLE releases ADD COLUMN prepared_by TEXT;
      ALTER TABLE audit_events ADD COLUMN actor_id TEXT;
    `);
  },
};
