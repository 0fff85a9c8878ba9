import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { findActivePracticeKey, insertActivePracticeKey, practiceKeyExists, readSettingJson, writeSettingJson, type PracticeKeyRow } from './repo';
import { BounceMailboxInput, DEFAULT_IDLE_LOCK_MINUTES, DeliverySettings, IdleLockSettings, PracticeInput, PurgeResult, RetentionPolicy, SecuritySettings, SmtpSettingsInput } from '../../../shared/contract';

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
  /** Staff accounts (issue #11): require MFA; two-person rule for third-party releases. Unset = both off. */
  security: SecuritySettings,
  /** Idle lock (issue 11): minutes without activity before the screen locks; unset means the default (5). */
  idleLock: IdleLockSettings,
} as const;
export type SettingKey = keyof typeof schemas;
export type SettingValue<K extends SettingKey> = z.output<(typeof schemas)[K]>;

/** Read one setting. @returns null when unset. */
export function getSetting<K extends SettingKey>(db: Database, key: K): SettingValue<K> | null {
  const json = readSettingJson(db, key);
  return json !== undefined ? (schemas[key].parse(JSON.parse(json)) as SettingValue<K>) : null;
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
  writeSettingJson(db, key, JSON.stringify(v));
}

export type { PracticeKeyRow };

/** Store the practice's OpenPGP key pair (private part stays in the vault, never crosses IPC). */
export function insertPracticeKey(db: Database, k: PracticeKeyRow): void {
  insertActivePracticeKey(db, k);
}

/** Whether the vault has ever held the practice key with this fingerprint (40 hex, upper case), active or not. */
export function practiceKeyKnown(db: Database, fingerprint: string): boolean {
  return practiceKeyExists(db, fingerprint);
}

/** The active practice key. @throws Error when setup never stored one (a broken vault). */
export function activePracticeKey(db: Database): PracticeKeyRow {
  const r = findActivePracticeKey(db);
  if (!r) throw new Error('vault has no active practice key');
  return r;
}

/** Default raw attachment limit per email message (compliance-rules.md: providers cap at 20–25 MB; base64 adds ~37 %). */
export const DEFAULT_MESSAGE_LIMIT_BYTES = 18_000_000;

/** The delivery settings, with the default when unset. */
export function deliverySettings(db: Database): SettingValue<'delivery'> {
  return getSetting(db, 'delivery') ?? { messageLimitBytes: DEFAULT_MESSAGE_LIMIT_BYTES };
}

/** The practice's security settings (both off until an administrator turns them on). */
export function securitySettings(db: Database): SettingValue<'security'> {
  return getSetting(db, 'security') ?? { requireMfa: false, twoPersonRule: false };
}

/**
 * The idle lock setting, with the default when never changed (no migration: an unset key reads as the default).
 * @returns `{ idleMinutes }`, whole minutes in 1..60; default {@link DEFAULT_IDLE_LOCK_MINUTES}.
 * @source 45 CFR 164.312(a)(2)(iii) automatic logoff.
 */
export function idleLockSettings(db: Database): SettingValue<'idleLock'> {
  return getSetting(db, 'idleLock') ?? { idleMinutes: DEFAULT_IDLE_LOCK_MINUTES };
}
