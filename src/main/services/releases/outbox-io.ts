/**
 * Writing and erasing an outbox message's chunks without holding up the main thread: every statement on the vault
 * is synchronous (better-sqlite3) and SQLCipher encrypts, and with secure_delete overwrites, every 4 KiB page it
 * touches, so a message's bytes go in and out in short transactions that end once a small time budget is spent,
 * with a turn of the event loop between them (the window's input and the SMTP socket are served in between); the WAL
 * checkpoints those commits would make run on a worker thread meanwhile (outbox-checkpointer.ts).
 * @source 45 CFR 164.312(a)(2)(iv) (the bytes stay inside the encrypted vault); RFC 5321 §4.5.3.2 (the socket keeps being served)
 */
import { createHash } from 'node:crypto';
import type { VaultFileAccess } from '../vault/vault';
import { startOutboxCheckpointer, type OutboxCheckpointer } from './outbox-checkpointer';
import { appendOutboxChunk, clearOutboxPart, completeOutboxMessage, eraseOutboxChunks, OUTBOX_CHUNK_BYTES, lightCommit } from './outbox-repo';

/** The vault as the send path uses it: its connection, its one-transaction runner and how a worker opens its file. */
export interface OutboxVault {
  db: Parameters<typeof appendOutboxChunk>[0];
  tx<T>(fn: () => T): T;
  /** Without it (or on an in-memory vault) the connection checkpoints itself as usual. */
  fileAccess?(): VaultFileAccess;
}

/**
 * Run `body` with a WAL checkpointer on a worker thread (outbox-checkpointer.ts); `chunkTx` runs one transaction of
 * chunk statements with a light commit (outbox-repo lightCommit: no fsync; no automatic checkpoint while the worker
 * runs, which is nudged after it).
 */
async function withCheckpointer<T>(v: OutboxVault, body: (chunkTx: <R>(fn: () => R) => R) => Promise<T>): Promise<T> {
  const access = v.db.memory ? undefined : v.fileAccess?.();
  const c: OutboxCheckpointer | null = await startOutboxCheckpointer(access);
  const chunkTx = <R>(fn: () => R): R => {
    const active = c?.active === true;
    const r = lightCommit(v.db, (f: () => R) => v.tx(f), fn, { noAutoCheckpoint: active });
    if (active) c!.nudge();
    return r;
  };
  try {
    return await body(chunkTx);
  } finally {
    await c?.stop();
  }
}

/**
 * Milliseconds of erase statements per transaction before it commits and the event loop gets a turn: well under the
 * 50 ms p99 event-loop delay the send keeps (issue 16). (Stores commit one chunk at a time instead: an INSERT only
 * fills the page cache, and SQLCipher's page encryption happens in the commit, so the statements' time says nothing.)
 */
export const OUTBOX_TX_BUDGET_MS = 6;

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Store one composed message's bytes (its row begun with beginOutboxMessage) as {@link OUTBOX_CHUNK_BYTES} chunks,
 * one chunk per transaction (a few milliseconds of page encryption in its commit) with a turn of the event loop
 * after each, then complete it with its size and SHA-256 (computed as the chunks are written) in a normal commit.
 * @param raw the whole message (CRLF, as it will go into DATA)
 * @throws what the vault throws (VAULT_LOCKED after a lock, SQLite errors); the chunks stored so far stay until the caller clears them
 */
export async function storeOutboxChunks(v: OutboxVault, transmissionId: string, part: number, raw: Buffer): Promise<void> {
  const hash = createHash('sha256');
  await withCheckpointer(v, async (chunkTx) => {
    for (let seq = 0, off = 0; off < raw.length; seq++, off += OUTBOX_CHUNK_BYTES) {
      const chunk = raw.subarray(off, off + OUTBOX_CHUNK_BYTES);
      hash.update(chunk);
      chunkTx(() => appendOutboxChunk(v.db, transmissionId, part, seq, chunk));
      await turn();
    }
  });
  v.tx(() => completeOutboxMessage(v.db, transmissionId, part, raw.length, hash.digest('hex')));
}

/** Methods whose stored messages are end-to-end ciphertext (see eraseOutboxChunks `overwrite`). */
const CIPHERTEXT_METHODS: ReadonlySet<string> = new Set(['openpgp-pgp-mime', 'smime']);

/**
 * Erase the stored chunks of one message in transactions of about {@link OUTBOX_TX_BUDGET_MS} each (one chunk at
 * least), then its row. A stop half-way leaves chunks that a later clear of the outbox erases. The freed pages are
 * overwritten with zeros unless the method's messages are end-to-end ciphertext (PGP/MIME, S/MIME: eraseOutboxChunks).
 * @param method the transmission's delivery method
 * @throws what the vault throws
 */
export async function eraseOutboxPart(v: OutboxVault, transmissionId: string, part: number, method: string): Promise<void> {
  const overwrite = !CIPHERTEXT_METHODS.has(method);
  await withCheckpointer(v, async (chunkTx) => {
    for (;;) {
      const start = performance.now();
      const more = chunkTx(() => {
        while (eraseOutboxChunks(v.db, transmissionId, part, 1, { overwrite }) > 0) if (performance.now() - start >= OUTBOX_TX_BUDGET_MS) return true;
        return false;
      });
      if (!more) break;
      await turn();
    }
  });
  v.tx(() => clearOutboxPart(v.db, transmissionId, part));
}
