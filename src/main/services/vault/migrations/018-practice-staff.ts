import type { Migration } from './types';

/**
 * Practice-wide staff accounts on this workstation (issue #17, practice staff directory; practice migration 0005).
 *
 * - practice_staff_local: the staff accounts of this vault that are practice-wide (in the practice's staff directory),
 *   the directory version this vault last applied, the account's X25519 public key as the directory has it (a new one
 *   means the passphrase was changed elsewhere), and when the account first signed in on this workstation (NULL: made
 *   here). No secret: the private key is only ever stored wrapped under the person's passphrase.
 * - practice_staff_outbox: directory changes made here (add, role, disable, passphrase, MFA) waiting to be pushed to
 *   the server at the next sync. `change_json` is the account's whole directory entry after the change (role,
 *   disabled, name, TOTP secret, public key, the passphrase-wrapped private key, the data key boxed to the public
 *   key) — inside this encrypted vault only; sealed before it leaves. Rows are kept (pushed_at set), never deleted.
 * - practice_link.workstation_secret: this workstation's X25519 private key (32 bytes), so a rotated practice key
 *   boxed to its public key reaches it. practice_link_keys: earlier practice data keys this workstation held, kept
 *   to open values sealed before a rotation until they are re-sealed; `is_root` marks the practice's first data key,
 *   whose derived blind-index and audit-chain keys stay in use after rotations (45 CFR 164.312(a)(2)(iv)).
 */
export const migration: Migration = {
  version: 18,
  name: 'practice staff: practice-wide accounts, queued directory changes, workstation key pair, earlier keys',
  up(db) {
    db.exec(`
      CREATE TABLE practice_staff_local (
        user_id          TEXT PRIMARY KEY REFERENCES users(id),
        version          INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
        public_key       BLOB CHECK (public_key IS NULL OR length(public_key) = 32),
        first_signin_at  TEXT
      ) STRICT;
      CREATE TABLE practice_staff_outbox (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id     TEXT NOT NULL REFERENCES users(id),
        change_json TEXT NOT NULL,
        queued_at   TEXT NOT NULL,
        pushed_at   TEXT
      ) STRICT;
      CREATE INDEX practice_staff_outbox_waiting ON practice_staff_outbox(seq) WHERE pushed_at IS NULL;
      CREATE TRIGGER practice_staff_outbox_kept BEFORE DELETE ON practice_staff_outbox
        BEGIN SELECT RAISE(ABORT, 'directory changes are kept'); END;
      ALTER TABLE practice_link ADD COLUMN workstation_secret BLOB CHECK (workstation_secret IS NULL OR length(workstation_secret) = 32);
      CREATE TABLE practice_link_keys (
        key_id    TEXT PRIMARY KEY,
        data_key  BLOB NOT NULL CHECK (length(data_key) = 32),
        is_root   INTEGER NOT NULL DEFAULT 0 CHECK (is_root IN (0, 1)),
        kept_at   TEXT NOT NULL
      ) STRICT;
    `);
  },
};
