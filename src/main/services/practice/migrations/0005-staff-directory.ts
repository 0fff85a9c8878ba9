import { sqlTypes, type Dialect } from '../engine';
import { createTable, notNull } from './statement-parts';
import type { PracticeMigration } from './types';

/**
 * 0005 practice staff directory (issue #17, build item 2: the practice data key "wrapped per staff user as in the
 * single vault", for staff who work on any joined workstation).
 *
 * - `practice_staff`: one row per practice-wide staff account, keyed by its users.id (the same id on every
 *   workstation). In clear: the role and the disabled flag (what the store needs to know who may hold a key; no PHI),
 *   a version (+1 per change; a workstation applies each version once), the X25519 public key, and the private key
 *   wrapped under the person's passphrase (argon2id → AES-256-GCM, vault/kdf.ts; JSON with salt, iv, ciphertext, tag:
 *   nothing that opens without the passphrase). Sealed under the practice data key (`record_sealed`, AES-256-GCM, AAD
 *   bound to the row): the name, the TOTP secret and when it was enrolled — staff names are not PHI, but they are
 *   sealed anyway. `seal_key_id`: the data key that sealed it (re-sealed after a rotation).
 * - `practice_key_boxes`: the practice data key wrapped to one holder's X25519 public key (ephemeral X25519 → HKDF-
 *   SHA-256 → AES-256-GCM, staff-keys.ts), per key id and holder (`user` or `workstation`). An administrator can make
 *   these for everyone from public keys alone, so removing someone rotates the key without anyone's passphrase.
 * - `practice_workstations.public_key`: each joined workstation's X25519 public key (its private key stays in its
 *   vault), so a rotated key reaches every workstation.
 * - `practice_data_keys.retired_at`: when a key was replaced (rotation); `resealed_at`: when no row was sealed under
 *   it any more. The newest key without `retired_at` is the current one.
 * - `practice_staff_signins`: where each practice-wide account has signed in (workstation id, first and last time).
 */
function up(dialect: Dialect): string[] {
  const t = sqlTypes(dialect);
  return [
    `CREATE TABLE practice_staff (
      user_id ${t.key} PRIMARY KEY,
      role ${t.key} NOT NULL CHECK (role IN ('administrator', 'privacy_officer', 'front_desk')),
      disabled ${t.bigint} NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
      version ${t.bigint} NOT NULL CHECK (version >= 1),
      seal_key_id ${t.key} NOT NULL,
      record_sealed ${t.bytes} NOT NULL,
      public_key ${t.bytes} NOT NULL,
      private_key_wrap ${t.key} NOT NULL,
      updated_at ${t.key} NOT NULL,
      updated_by_workstation ${t.key}
    )`,
    createTable('practice_key_boxes', [
      `key_id ${t.key} NOT NULL`,
      `holder_kind ${t.key} NOT NULL CHECK (holder_kind IN ('user', 'workstation'))`,
      `holder_id ${t.key} NOT NULL`,
      ...notNull(t.bytes, 'ephemeral_public', 'iv', 'ciphertext', 'tag'),
      `created_at ${t.key} NOT NULL`,
      'PRIMARY KEY (key_id, holder_kind, holder_id)',
    ]),
    createTable('practice_staff_signins', [...notNull(t.key, 'user_id', 'workstation_id', 'first_at', 'last_at'), 'PRIMARY KEY (user_id, workstation_id)']),
    `ALTER TABLE practice_workstations ADD COLUMN public_key ${t.bytes}`,
    `ALTER TABLE practice_data_keys ADD COLUMN retired_at ${t.key}`,
    `ALTER TABLE practice_data_keys ADD COLUMN resealed_at ${t.key}`,
  ];
}

export const migration: PracticeMigration = { version: 5, name: 'staff-directory', up };
