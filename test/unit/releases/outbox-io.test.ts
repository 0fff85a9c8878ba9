/**
 * Outbox chunk I/O in short commits on a real encrypted vault file (SQLCipher, WAL): a message stored one chunk per
 * light commit reads back byte-identical with its size and SHA-256 at every chunk boundary; the connection's
 * synchronous, wal_autocheckpoint and secure_delete settings are what they were afterwards; the worker thread's
 * checkpoints copy the committed WAL into the vault file; erasing (overwriting or not) leaves nothing of the part.
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxCheckpointer } from '../../../src/main/services/releases/outbox-checkpointer';
import { eraseOutboxPart, storeOutboxChunks } from '../../../src/main/services/releases/outbox-io';
import {
  appendOutboxChunk,
  beginOutboxMessage,
  lightCommit,
  OUTBOX_CHUNK_BYTES,
  outboxEntries,
  outboxRaw,
} from '../../../src/main/services/releases/outbox-repo';
import { Vault, VAULT_FILE } from '../../../src/main/services/vault/vault';

const C = OUTBOX_CHUNK_BYTES;

describe('outbox chunk I/O in short commits', () => {
  let dir: string;
  let v: Vault;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rd-outbox-io-'));
    v = Vault.createWithKey(dir, randomBytes(32));
    // These rows exercise the chunk I/O alone: no release or transmission records behind them.
    v.db.pragma('foreign_keys = OFF');
  });
  afterAll(() => {
    v?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = () => ({
    synchronous: v.db.pragma('synchronous', { simple: true }),
    autocheckpoint: v.db.pragma('wal_autocheckpoint', { simple: true }),
    secureDelete: v.db.pragma('secure_delete', { simple: true }),
  });
  const chunkCount = (t: string, part: number) => (v.db.prepare('SELECT count(*) AS n FROM outbox_chunks WHERE transmission_id = ? AND part = ?').get(t, part) as { n: number }).n;
  const begin = (t: string, part: number) =>
    v.tx(() => beginOutboxMessage(v.db, t, { part, of: 9, messageId: `<m${part}@clinic.example.test>`, envelope: { from: 'records@clinic.example.test', to: ['zyxwv@patient.example.test'] } }));

  it('stores a message one chunk per commit and reads it back byte-identical, with its size and SHA-256, at every chunk boundary', async () => {
    const before = settings();
    const sizes = [1, C - 1, C, C + 1, 3 * C + 5];
    for (const [i, size] of sizes.entries()) {
      const raw = randomBytes(size);
      begin('t-store', i + 1);
      await storeOutboxChunks(v, 't-store', i + 1, raw);
      expect(chunkCount('t-store', i + 1)).toBe(Math.ceil(size / C));
      expect(outboxRaw(v.db, 't-store', i + 1).equals(raw)).toBe(true);
      const entry = outboxEntries(v.db, 't-store').find((e) => e.part === i + 1)!;
      expect(entry.sizeBytes).toBe(size);
      expect(entry.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    }
    expect(settings()).toEqual(before);
  });

  it('erases a stored part chunk-wise, overwriting the freed pages or not (end-to-end ciphertext), and leaves the connection as it was', async () => {
    const before = settings();
    for (const [part, method] of [
      [1, 'openpgp-pgp-mime'],
      [2, 'password-pdf'],
    ] as const) {
      begin('t-erase', part);
      await storeOutboxChunks(v, 't-erase', part, randomBytes(5 * C + 3));
      await eraseOutboxPart(v, 't-erase', part, method);
      expect(chunkCount('t-erase', part)).toBe(0);
      expect(outboxEntries(v.db, 't-erase').some((e) => e.part === part)).toBe(false);
    }
    expect(settings()).toEqual(before);
  });

  it('restores the settings when the transaction in a light commit throws', () => {
    const before = settings();
    expect(() =>
      lightCommit(v.db, (f: () => void) => v.tx(f), () => {
        throw new Error('stop');
      }, { noAutoCheckpoint: true }),
    ).toThrow('stop');
    expect(settings()).toEqual(before);
  });

  it('copies the WAL into the vault file on a worker thread while the main connection commits without checkpoints', async () => {
    // A vault of its own: no free pages left by the tests above, so new chunks must grow the file.
    const d2 = mkdtempSync(join(tmpdir(), 'rd-outbox-ckpt-'));
    const v2 = Vault.createWithKey(d2, randomBytes(32));
    try {
      v2.db.pragma('foreign_keys = OFF');
      const file = join(d2, VAULT_FILE);
      v2.db.pragma('wal_checkpoint(TRUNCATE)');
      const sizeBefore = statSync(file).size;
      const c = await startOutboxCheckpointer(v2.fileAccess());
      expect(c).not.toBeNull();
      v2.tx(() => beginOutboxMessage(v2.db, 't-ckpt', { part: 1, of: 1, messageId: '<m@clinic.example.test>', envelope: { from: 'records@clinic.example.test', to: ['zyxwv@patient.example.test'] } }));
      for (let seq = 0; seq < 8; seq++) lightCommit(v2.db, (f: () => void) => v2.tx(f), () => appendOutboxChunk(v2.db, 't-ckpt', 1, seq, randomBytes(C)), { noAutoCheckpoint: true });
      // Nothing reached the vault file yet: the 2 MiB are in the WAL only.
      expect(statSync(file).size).toBe(sizeBefore);
      c!.nudge();
      await c!.stop();
      expect(c!.active).toBe(false);
      expect(statSync(file).size).toBeGreaterThanOrEqual(sizeBefore + 8 * C);
    } finally {
      v2.close();
      rmSync(d2, { recursive: true, force: true });
    }
  });

  it('runs without a checkpointer when the vault file cannot be reached (the connection checkpoints itself)', async () => {
    expect(await startOutboxCheckpointer(undefined)).toBeNull();
    expect(await startOutboxCheckpointer({ file: join(dir, 'missing', VAULT_FILE), keyPragmas: [] })).toBeNull();
  });
});
