import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { BounceMailboxInput, DEFAULT_IDLE_LOCK_MINUTES, DeliverySettings, IdleLockSettings, PracticeInput, PurgeResult, RetentionPolicy, SmtpSettingsInput } from '../../../shared/contract';

/** Settings kept in the vault, one JSON value per key, each validated on read. */
const schemas = {
  practice: PracticeInput,
  smtp: SmtpSettingsInput,
  staff: z.object({ name: z.string() }),
  /** Delivery (issue #4): raw attachment bytes per email message; migration 3 writes the default 18,000,000. */
  delivery: DeliverySettings,
  /** The bounce mailbox (issue 8): IMAP over TLS; unset until staff add it. */
  bounceMailbox: BounceMailboxInput,
  // --- retention, backup (issue #13): unset until the practice saves a policy / makes a backup / a purge runs.
  retention: RetentionPolicy,
  backup: z.object({ lastBackupAt: z.string(), bytes: z.number().int() }),
  lastPurge: PurgeResult,
  /** Idle lock (issue 11): minutes without activity before the screen locks; unset means the default (5). */
  idleLock: IdleLockSettings,
} as const;
export type SettingKey = keyof typeof schemas;
export type SettingValue<K extends SettingKey> = z.output<(typeof schemas)[K]>;

/** Read one setting. @returns null when unset. */
export function getSetting<K extends SettingKey>(db: Database, key: K): SettingValue<K> | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (schemas[key].parse(JSON.parse(row.value)) as SettingValue<K>) : null;
}

/** Read one setting that setup always writes. @throws Error if missing (a broken vault). */
export function requireSetting<K extends SettingKey>(db: Database, key: K): SettingValue<K> {
  const v = getSetting(db, key);
  if (v === null) throw new Error(`vault is missing setting ${key}`);
  return v;
}

/** Write one setting (validated). Call inside the transaction that audits the change. */
export function putSetting<K extends SettingKey>(db: Database, key: K, value: SettingValue<K>): void {
  const v = schemas[key].parse(value);
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(v));
}

export interface PracticeKeyRow {
  fingerprint: string;
  armoredPublic: string;
  armoredPrivate: string;
  createdAt: string;
}

/** Store the practice's OpenPGP key pair (private part stays in the vault, never crosses IPC). */
export function insertPracticeKey(db: Database, k: PracticeKeyRow): void {
  db.prepare('UPDATE practice_keys SET active = 0').run();
  db.prepare('INSERT INTO practice_keys (fingerprint, armored_public, armored_private, created_at, active) VALUES (?, ?, ?, ?, 1)').run(
    k.fingerprint,
    k.armoredPublic,
    k.armoredPrivate,
    k.createdAt,
  );
}

/** Whether the vault has ever held the practice key with this fingerprint (40 hex, upper case), active or not. */
export function practiceKeyKnown(db: Database, fingerprint: string): boolean {
  return db.prepare('SELECT 1 FROM practice_keys WHERE fingerprint = ?').get(fingerprint) !== undefined;
}

/** The active practice key. @throws Error when setup never stored one (a broken vault). */
export function activePracticeKey(db: Database): PracticeKeyRow {
  const r = db.prepare('SELECT fingerprint, armored_public, armored_private, created_at FROM practice_keys WHERE active = 1').get() as
    | { fingerprint: string; armored_public: string; armored_private: string; created_at: string }
    | undefined;
  if (!r) throw new Error('vault has no active practice key');
  return { fingerprint: r.fingerprint, armoredPublic: r.armored_public, armoredPrivate: r.armored_private, createdAt: r.created_at };
}

/** Default raw attachment limit per email message (compliance-rules.md: providers cap at 20–25 MB; base64 adds ~37 %). */
export const DEFAULT_MESSAGE_LIMIT_BYTES = 18_000_000;

/** The delivery settings, with the default when unset. */
export function deliverySettings(db: Database): SettingValue<'delivery'> {
  return getSetting(db, 'delivery') ?? { messageLimitBytes: DEFAULT_MESSAGE_LIMIT_BYTES };
}

/**
 * The idle lock setting, with the default when never changed (no migration: an unset key reads as the default).
 * @returns `{ idleMinutes }`, whole minutes in 1..60; default {@link DEFAULT_IDLE_LOCK_MINUTES}.
 * @source 45 CFR 164.312(a)(2)(iii) automatic logoff.
 */
export function idleLockSettings(db: Database): SettingValue<'idleLock'> {
  return getSetting(db, 'idleLock') ?? { idleMinutes: DEFAULT_IDLE_LOCK_MINUTES };
}
