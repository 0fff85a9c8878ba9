/**
 * This workstation's practice-server settings in the encrypted vault (SQLCipher): one value under the `settings`
 * table's key `practiceServer`, read and written through settings/repo.ts (the one place that table's SQL lives),
 * validated here on every read and write. The password is stored only here, in the vault, and never returned to the
 * renderer (practice-server-service.ts gives the status without it). Functions of `(db, …)`, run inside the
 * caller's transaction.
 *
 * Source: 45 CFR 164.312(a)(2)(iv) encryption at rest (the credential lives in the encrypted vault only);
 * 164.312(d) person or entity authentication.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { PracticeServerCheck } from '../../../shared/contract';
import { readSettingJson, writeSettingJson } from '../settings/repo';

const KEY = 'practiceServer';

/** The stored practice server (see the module comment). */
export const StoredPracticeServer = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    database: z.string().min(1),
    user: z.string().min(1),
    /** The CA certificate(s), PEM, certificate blocks only (connection.ts checkCaPem). */
    caPem: z.string().min(1),
    /** SHA-256 fingerprint of the first CA certificate ("AB:CD:…"). */
    caFingerprint: z.string(),
    /** The role's password; null after a disconnect (erased). */
    password: z.string().nullable(),
    /** true while this workstation uses the server (set only after a passing test). */
    active: z.boolean(),
    /** The test that made it active. */
    verified: PracticeServerCheck,
    /** When and by which staff account (id) it was last configured or disconnected. */
    changedAt: z.string(),
    changedBy: z.string().nullable(),
  })
  .strict();
export type StoredPracticeServerT = z.output<typeof StoredPracticeServer>;

/** The stored practice server, or null when this workstation never had one. @throws ZodError on a damaged value */
export function readPracticeServer(db: Database): StoredPracticeServerT | null {
  const json = readSettingJson(db, KEY);
  return json === undefined ? null : StoredPracticeServer.parse(JSON.parse(json));
}

/** Store (replace) the practice server. Call inside the transaction that audits the change. */
export function writePracticeServer(db: Database, value: StoredPracticeServerT): void {
  writeSettingJson(db, KEY, JSON.stringify(StoredPracticeServer.parse(value)));
}
