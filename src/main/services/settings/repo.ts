/**
 * The `settings` and `practice_keys` tables (SQL only; src/main/services/settings/settings.ts validates the values).
 * Functions of `(db, ...args)`, run inside the caller's transaction.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** The practice's OpenPGP key pair as stored (armored; the private part never leaves the vault). */
export interface PracticeKeyRow {
  fingerprint: string;
  armoredPublic: string;
  armoredPrivate: string;
  createdAt: string;
}

/** The stored JSON text of one setting, or undefined when unset. */
export function readSettingJson(db: Database, key: string): string | undefined {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/** Insert or replace one setting's JSON text. */
export function writeSettingJson(db: Database, key: string, json: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, json);
}

/** Make `k` the one active practice key (earlier keys stay, inactive). */
export function insertActivePracticeKey(db: Database, k: PracticeKeyRow): void {
  db.prepare('UPDATE practice_keys SET active = 0').run();
  db.prepare('INSERT INTO practice_keys (fingerprint, armored_public, armored_private, created_at, active) VALUES (?, ?, ?, ?, 1)').run(
    k.fingerprint,
    k.armoredPublic,
    k.armoredPrivate,
    k.createdAt,
  );
}

/** Whether a practice key with this fingerprint was ever stored, active or not. */
export function practiceKeyExists(db: Database, fingerprint: string): boolean {
  return db.prepare('SELECT 1 FROM practice_keys WHERE fingerprint = ?').get(fingerprint) !== undefined;
}

/** The active practice key, or undefined when none was stored. */
export function findActivePracticeKey(db: Database): PracticeKeyRow | undefined {
  const r = db.prepare('SELECT fingerprint, armored_public, armored_private, created_at FROM practice_keys WHERE active = 1').get() as
    | { fingerprint: string; armored_public: string; armored_private: string; created_at: string }
    | undefined;
  return r && { fingerprint: r.fingerprint, armoredPublic: r.armored_public, armoredPrivate: r.armored_private, createdAt: r.created_at };
}
