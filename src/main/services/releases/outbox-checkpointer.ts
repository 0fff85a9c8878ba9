/**
 * WAL checkpoints off the main thread while an outbox message's chunks are written or erased: a worker thread with
 * its own connection to the vault file runs PASSIVE checkpoints (copying committed WAL frames into the vault file,
 * still encrypted: SQLCipher encrypts pages before they reach the WAL) while the main thread's chunk transactions
 * commit without their automatic checkpoint (outbox-repo lightCommit). The worker only checkpoints: it
 * reads and writes no rows, so it never takes the write lock and never conflicts with the main connection.
 *
 * The worker is source text run with `eval` (checkpoint-worker-source.ts; as audit/chain-worker-source.ts, for the same reasons: Electron's
 * bundle, tsx and vitest all run it unchanged); it needs only Node built-ins and the SQLCipher module.
 * @source https://sqlite.org/wal.html (checkpointing, concurrency); 45 CFR 164.312(a)(2)(iv) (the vault stays encrypted)
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { VaultFileAccess } from '../vault/vault';
import { CHECKPOINT_WORKER_SOURCE as SOURCE } from './checkpoint-worker-source';

/** A running checkpointer: {@link nudge} after each commit, {@link stop} when done. */
export interface OutboxCheckpointer {
  /** Whether the worker is still running (otherwise the main connection must checkpoint itself again). */
  readonly active: boolean;
  /** Ask for a checkpoint (coalesced: at most one runs and one waits). */
  nudge(): void;
  /** Wait for the checkpoint in flight (if any), close the worker's connection and end the thread. Never throws. */
  stop(): Promise<void>;
}

/**
 * Start a checkpointer on the vault file, or null when it cannot run (no file access, or the worker could not open
 * the vault): the caller then keeps the connection's automatic checkpoints. Never throws.
 * @param access how a second connection opens the vault file (Vault.fileAccess()); its key pragmas never leave the worker
 */
export async function startOutboxCheckpointer(access: VaultFileAccess | undefined): Promise<OutboxCheckpointer | null> {
  if (!access || !access.file) return null;
  let w: Worker;
  try {
    const modulePath = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');
    w = new Worker(SOURCE, { eval: true, workerData: { modulePath, file: access.file, keyPragmas: access.keyPragmas }, execArgv: [] });
  } catch {
    return null;
  }
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  w.on('error', () => {
    /* reported through 'exit'; the main connection's own checkpoints take over */
  });
  const ready = await new Promise<boolean>((resolve) => {
    w.once('message', (m: { ok: boolean }) => resolve(m.ok));
    void exited.then(() => resolve(false));
  });
  if (!ready) {
    await w.terminate();
    return null;
  }
  let running = false;
  let again = false;
  let idle: (() => void) | null = null;
  let alive = true;
  const run = () => {
    running = true;
    w.postMessage('checkpoint');
  };
  w.on('message', () => {
    if (again && alive) {
      again = false;
      run();
      return;
    }
    running = false;
    idle?.();
  });
  void exited.then(() => {
    alive = false;
    running = false;
    idle?.();
  });
  return {
    get active() {
      return alive;
    },
    nudge() {
      if (!alive) return;
      if (running) again = true;
      else run();
    },
    async stop() {
      again = false;
      if (running) await new Promise<void>((resolve) => (idle = resolve));
      if (alive) w.postMessage('close');
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 5000).unref())]);
      if (alive) await w.terminate();
    },
  };
}
