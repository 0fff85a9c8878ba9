/**
 * The main thread's side of the packaging worker: {@link PackagingWorker} implements
 * {@link PackagingJobs} by running each job in a `node:worker_threads` Worker
 * (packaging-worker.ts), so decoding images, assembling and stamping the packet, splitting it and
 * writing the password PDF never hold the main process's event loop (the window stays responsive).
 *
 * Jobs run one at a time, in the order asked. A job's failure comes back as the AppError the worker
 * threw (PHI-free code and message), or PACKAGING_FAILED for anything else; a worker that dies or
 * cannot start fails the jobs it had with PACKAGING_FAILED and is replaced on the next job. Aborting a
 * job's signal terminates the worker at once (PACKAGING_CANCELLED). Results exist only in memory; a job
 * that fails or is cancelled hands back nothing.
 *
 * Where the worker's script is: Electron's build has it as its own Vite entry beside main.js
 * (`.vite/build/packaging-worker.js`, forge.config.ts); from source (tsx, vitest, the preview) it is
 * packaging-worker.ts, loaded through tsx ({@link sourceWorkerEntry}).
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../shared/errors';
import type { JobOptions, PackagingJobs, SplitOptions } from './jobs';
import type { AssembledPacket, AssemblePacketInput, PackagingProgress } from './packet';
import type { PacketPart } from './split';
import { type FromWorker, type JobName, PACKAGING_FAILED_MESSAGE, type ToWorker, UPLOAD_PIECE_BYTES, copyOf, decodeError, encodeValue } from './worker-protocol';

/** How to start the worker: its script (a path or file URL, or code when `eval` is set) and extra Node options for it. */
export interface WorkerEntry {
  script: string | URL;
  eval?: boolean;
  execArgv?: string[];
}

/**
 * The worker run from its TypeScript source through tsx's require hook (plain Node with tsx, vitest,
 * the preview; tsx's ESM `--import` hook does not reach a worker's own entry on Node 20). The built
 * Electron app passes the bundled script instead ({@link builtWorkerEntry}).
 */
export function sourceWorkerEntry(): WorkerEntry {
  const nodeRequire = createRequire(import.meta.url); // not `require`: see qpdf.ts
  // The file name is a variable so the Vite build does not take `new URL('…', import.meta.url)` for an asset to bundle.
  const source = 'packaging-worker.ts';
  const file = fileURLToPath(new URL(source, import.meta.url));
  return { script: `require(${JSON.stringify(nodeRequire.resolve('tsx/cjs'))});\nrequire(${JSON.stringify(file)});`, eval: true };
}

/** The built worker script beside the main bundle: `<buildDir>/packaging-worker.js` (Forge's Vite entry name). */
export function builtWorkerEntry(buildDir: string): WorkerEntry {
  return { script: pathToFileURL(`${buildDir.replace(/[\\/]$/, '')}/packaging-worker.js`) };
}

/**
 * A worker with no job for this long (ms) is ended by default, giving its memory back; the next job starts a new one
 * (and pays its start: thread, modules, fonts, compiling). Ten minutes keeps it warm between the releases of a
 * working session.
 */
const IDLE_MS = 10 * 60_000;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: ((p: PackagingProgress) => void) | undefined;
}

const failed = () => new AppError('PACKAGING_FAILED', PACKAGING_FAILED_MESSAGE);
const cancelled = () => new AppError('PACKAGING_CANCELLED', 'Preparing the release packet was stopped. Nothing was sent or saved.');

/** {@link PackagingJobs} in a worker thread (see the module comment). */
export class PackagingWorker implements PackagingJobs {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private tail: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  /**
   * @param entry how to start the worker's script
   * @param idleMs how long (ms) a worker with no job is kept before it is ended (default ten minutes)
   */
  constructor(
    private readonly entry: WorkerEntry,
    private readonly idleMs = IDLE_MS,
  ) {}

  assemblePacket(input: AssemblePacketInput, job?: JobOptions): Promise<AssembledPacket> {
    const { onProgress, ...rest } = input;
    return this.enqueue('assemblePacket', [rest], job, onProgress) as Promise<AssembledPacket>;
  }

  splitPacket(pdf: Uint8Array, limitBytes: number, opts: SplitOptions = {}, job?: JobOptions): Promise<PacketPart[]> {
    return this.enqueue('splitPacket', [pdf, limitBytes, opts], job) as Promise<PacketPart[]>;
  }

  encryptPdfAes256(pdf: Uint8Array, userPassword: string, job?: JobOptions): Promise<Uint8Array> {
    return this.enqueue('encryptPdfAes256', [pdf, userPassword], job) as Promise<Uint8Array>;
  }

  signDetached(bytes: Uint8Array, practicePrivateArmored: string, passphrase?: string, job?: JobOptions): Promise<Uint8Array> {
    return this.enqueue('signDetached', [bytes, practicePrivateArmored, passphrase ?? null], job) as Promise<Uint8Array>;
  }

  encryptAndSignPart(pdf: Uint8Array, userPassword: string, practicePrivateArmored: string, job?: JobOptions): Promise<{ bytes: Uint8Array; signature: Uint8Array }> {
    return this.enqueue('encryptAndSignPart', [pdf, userPassword, practicePrivateArmored], job) as Promise<{ bytes: Uint8Array; signature: Uint8Array }>;
  }

  /**
   * Start the worker now, if it is not running, and get it ready for jobs ({@link warmUpPackaging}: a small synthetic
   * packet assembled and encrypted, then dropped), so the next job does not wait for the thread to start, load its
   * modules, read the fonts and compile qpdf and the packaging code. Call it when a release is being prepared
   * (before its documents are chosen) or at start-up. Queued like a job: a job asked for meanwhile runs after it.
   * A worker then kept idle ends after `idleMs` (constructor), giving its memory back.
   *
   * @param assetsRoot the assets directory with fonts/, as the jobs will pass it
   * @throws AppError as a job: PACKAGING_CANCELLED when the worker is closed, PACKAGING_FAILED when it cannot start
   */
  warm(assetsRoot?: string, job?: JobOptions): Promise<void> {
    return this.enqueue('warmUp', [assetsRoot ?? null], job) as Promise<never>;
  }

  /** End the worker (pending jobs fail with PACKAGING_CANCELLED); later jobs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop(cancelled());
  }

  /** The thread id of the running worker, or null (for tests and diagnostics). */
  get threadId(): number | null {
    return this.worker?.threadId ?? null;
  }

  private enqueue(job: JobName, args: unknown[], opts?: JobOptions, onProgress?: (p: PackagingProgress) => void): Promise<unknown> {
    const run = this.tail.then(() => this.run(job, args, opts, onProgress));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run(job: JobName, args: unknown[], opts: JobOptions | undefined, onProgress?: (p: PackagingProgress) => void): Promise<unknown> {
    if (this.closed) throw cancelled();
    const signal = opts?.signal;
    if (signal?.aborted) throw cancelled();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.start();
    const id = this.nextId++;
    const result = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress }));
    result.catch(() => undefined); // awaited below, unless the upload fails first
    const abort = () => void this.stop(cancelled());
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const encoded = await encodeValue(args, (bytes) => this.upload(worker, bytes, signal));
      if (this.worker !== worker) throw (signal?.aborted ? cancelled() : failed());
      worker.postMessage({ type: 'job', id, job, args: encoded as unknown[] } satisfies ToWorker);
      return await result;
    } catch (e) {
      this.pending.delete(id);
      throw e;
    } finally {
      signal?.removeEventListener('abort', abort);
      if (this.pending.size === 0 && this.worker && !this.closed) {
        this.idleTimer = setTimeout(() => void this.stop(cancelled()), this.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  /** Send `bytes` in pieces, yielding to the event loop between pieces; returns the upload's id. */
  private async upload(worker: Worker, bytes: Uint8Array, signal?: AbortSignal): Promise<number> {
    const upload = this.nextId++;
    worker.postMessage({ type: 'upload-start', upload, length: bytes.length } satisfies ToWorker);
    for (let at = 0; at < bytes.length; at += UPLOAD_PIECE_BYTES) {
      if (this.worker !== worker || signal?.aborted) throw (signal?.aborted ? cancelled() : failed());
      const piece = copyOf(bytes, at, at + UPLOAD_PIECE_BYTES); // a copy: the caller keeps its bytes
      worker.postMessage({ type: 'upload-piece', upload, piece } satisfies ToWorker, [piece.buffer]);
      await new Promise((r) => setImmediate(r));
    }
    return upload;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.entry.script, { eval: this.entry.eval ?? false, execArgv: this.entry.execArgv ?? [], stdout: true, stderr: true });
    // Whatever the worker prints (a library's warning may quote a document) is read and dropped, never shown or logged.
    w.stdout.resume();
    w.stderr.resume();
    w.unref();
    w.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') p.onProgress?.(m.progress as PackagingProgress);
      else {
        this.pending.delete(m.id);
        if (m.type === 'result') p.resolve(m.value);
        else p.reject(decodeError(m.error));
      }
    });
    // An uncaught error or an exit mid-job: every job it had fails, coded; its message is not passed on.
    w.on('error', () => void this.stop(failed(), w));
    w.on('messageerror', () => void this.stop(failed(), w));
    w.on('exit', () => void this.stop(failed(), w));
    this.worker = w;
    return w;
  }

  /** Terminate the worker (if `only` is given: only if it is still that one) and fail its jobs with `reason`. */
  private async stop(reason: AppError, only?: Worker): Promise<void> {
    const w = this.worker;
    if (!w || (only && w !== only)) return;
    this.worker = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const p of jobs) p.reject(reason);
    await w.terminate();
  }
}
