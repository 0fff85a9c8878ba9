/**
 * Entry of the packaging worker thread (node:worker_threads): runs {@link createPackagingJobs}'s
 * work off the main process's event loop. Built by Forge's Vite plugin as its own entry
 * (.vite/build/packaging-worker.js, forge.config.ts); run from source through tsx elsewhere.
 *
 * Protocol (worker-protocol.ts): the main thread uploads large byte arrays in pieces, then posts a
 * job; the worker answers with progress messages and one result (its byte arrays transferred, not
 * copied) or one coded, PHI-free error. Nothing is written to disk here.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { createPackagingJobs, warmUpPackaging } from './jobs';
import { type FromWorker, type ToWorker, type WireValue, collectTransfers, decodeValue, encodeError } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('packaging-worker must run in a worker thread');

lowerThisThreadsPriority();

const jobs = createPackagingJobs();
/** Byte arrays being uploaded, by id: the buffer and how much of it has arrived. */
const uploads = new Map<number, { bytes: Uint8Array; filled: number }>();

/**
 * On Linux, give this thread (not the process) a lower scheduling priority (nice 10), so on a busy
 * machine the main thread, which answers the window, runs first. /proc/thread-self names this thread's
 * id, and setpriority(2) on a thread id changes that thread only. Elsewhere, or when refused, nothing changes.
 */
function lowerThisThreadsPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    /* best effort */
  }
}

function post(m: FromWorker): void {
  port!.postMessage(m, m.type === 'result' ? collectTransfers(m.value) : []);
}

async function run(id: number, job: string, args: WireValue[]): Promise<void> {
  try {
    const [a, b, c] = args.map((v) => decodeValue(v, uploads)) as [unknown, unknown, unknown];
    // (signDetached's key is an argument like any other: it never leaves the process, nothing here logs arguments.)
    let value: unknown;
    if (job === 'assemblePacket') {
      const input = a as Parameters<typeof jobs.assemblePacket>[0];
      value = await jobs.assemblePacket({ ...input, onProgress: (progress) => post({ type: 'progress', id, progress }) });
    } else if (job === 'splitPacket') {
      value = await jobs.splitPacket(a as Uint8Array, b as number, (c ?? {}) as Parameters<typeof jobs.splitPacket>[2]);
    } else if (job === 'encryptPdfAes256') {
      value = await jobs.encryptPdfAes256(a as Uint8Array, b as string);
    } else if (job === 'signDetached') {
      value = await jobs.signDetached(a as Uint8Array, b as string, (c ?? undefined) as string | undefined);
    } else if (job === 'encryptAndSignPart') {
      value = await jobs.encryptAndSignPart(a as Uint8Array, b as string, c as string);
    } else if (job === 'warmUp') {
      await warmUpPackaging((a ?? undefined) as string | undefined);
      value = null;
    } else {
      throw new Error('unknown job');
    }
    post({ type: 'result', id, value });
  } catch (e) {
    post({ type: 'error', id, error: encodeError(e) });
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'upload-start') uploads.set(m.upload, { bytes: new Uint8Array(m.length), filled: 0 });
  else if (m.type === 'upload-piece') {
    const u = uploads.get(m.upload);
    if (u) {
      u.bytes.set(m.piece, u.filled);
      u.filled += m.piece.length;
    }
  } else if (m.type === 'job') void run(m.id, m.job, m.args);
});
