/**
 * AES-CFB for the native writer (fast-encrypt.ts): the SEIPD body (RFC 4880 §5.13) encrypted in this thread, or on
 * a worker thread so the one serial step runs on its own core while the caller hashes, frames and writes.
 */
import { createCipheriv } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Session key algorithm -> OpenSSL CFB cipher and key size. */
export const CFB: Record<string, { cipher: string; bytes: number }> = {
  aes128: { cipher: 'aes-128-cfb', bytes: 16 },
  aes192: { cipher: 'aes-192-cfb', bytes: 24 },
  aes256: { cipher: 'aes-256-cfb', bytes: 32 },
};

/** Where the SEIPD plaintext is encrypted: ciphertext comes back through `onCipher`, in order. */
export interface CfbEngine {
  update(b: Buffer): void;
  /** The last ciphertext is delivered before this returns (in-thread) or before the promise settles (worker). */
  finish(): void | Promise<void>;
  /** Stop and free (a worker is terminated); safe to call twice. */
  abort(): void;
  /** Resolves once the plaintext still waiting for the cipher is at most `bytes` (backpressure); null when nothing waits. */
  waitBelow(bytes: number): Promise<void> | null;
}

/** AES-CFB in this thread (OpenSSL through node:crypto). */
export class InlineCfb implements CfbEngine {
  private readonly cipher;
  constructor(
    cipherName: string,
    key: Uint8Array,
    private readonly onCipher: (c: Buffer) => void,
  ) {
    this.cipher = createCipheriv(cipherName, key, Buffer.alloc(16));
  }
  update(b: Buffer): void {
    const c = this.cipher.update(b);
    if (c.length) this.onCipher(c);
  }
  finish(): void {
    const c = this.cipher.final();
    if (c.length) this.onCipher(c);
  }
  abort(): void {}
  waitBelow(): null {
    return null;
  }
}

/**
 * The worker thread's code (plain CommonJS, run with `eval`, so bundling needs no extra entry): one AES-CFB cipher,
 * plaintext blocks in, ciphertext blocks out (both transferred, not copied), in order.
 */
const CFB_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createCipheriv } = require('node:crypto');
const c = createCipheriv(workerData.cipher, Buffer.from(workerData.key), Buffer.alloc(16));
const own = (b) => (b.byteOffset === 0 && b.buffer.byteLength === b.length ? b : Buffer.from(b));
parentPort.on('message', (m) => {
  const out = own(m === null ? c.final() : c.update(Buffer.from(m.buffer, m.byteOffset, m.byteLength)));
  // The plaintext block goes back too, for reuse: no fresh allocation per block.
  parentPort.postMessage({ last: m === null, data: out, back: m }, m === null ? [out.buffer] : [out.buffer, m.buffer]);
});
`;

/** Plaintext is gathered into blocks of this size before it is handed to the worker (one copy, one message). */
const WORKER_BLOCK = 2 ** 20;

/**
 * AES-CFB on a worker thread, so the cipher (the one serial step) runs on one core while this thread hashes (SHA-1
 * MDC, SHA-256 signature), frames and writes. CFB chains over the whole SEIPD body: one cipher, blocks in order.
 */
export class WorkerCfb implements CfbEngine {
  private readonly worker: Worker;
  private block: Buffer = Buffer.allocUnsafeSlow(WORKER_BLOCK);
  /** Plaintext blocks the worker handed back, for reuse. */
  private free: Buffer[] = [];
  private fill = 0;
  private inFlight = 0;
  private failed: Error | null = null;
  private finished = false;
  private waiters: Array<{ bytes: number; resolve: () => void; reject: (e: Error) => void }> = [];
  private done: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(
    cipherName: string,
    key: Uint8Array,
    private readonly onCipher: (c: Buffer) => void,
  ) {
    this.worker = new Worker(CFB_WORKER_SOURCE, { eval: true, workerData: { cipher: cipherName, key: Buffer.from(key) } });
    this.worker.on('message', (m: { last: boolean; data: Uint8Array; back: Uint8Array | null }) => {
      if (m.back && m.back.buffer.byteLength === WORKER_BLOCK && this.free.length < 4) this.free.push(Buffer.from(m.back.buffer));
      const c = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
      if (c.length) this.onCipher(c);
      if (m.last) {
        this.finished = true;
        this.inFlight = 0;
        this.done?.resolve();
        void this.worker.terminate();
      } else this.inFlight -= c.length;
      this.waiters = this.waiters.filter((w) => (this.inFlight <= w.bytes ? (w.resolve(), false) : true));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => {
      if (!this.finished) this.fail(new Error('The encryption worker stopped.'));
    });
  }

  update(b: Buffer): void {
    if (this.failed) throw this.failed;
    let off = 0;
    while (off < b.length) {
      const n = Math.min(WORKER_BLOCK - this.fill, b.length - off);
      b.copy(this.block, this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === WORKER_BLOCK) this.send();
    }
  }

  finish(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.send();
    return new Promise<void>((resolve, reject) => {
      this.done = { resolve, reject };
      this.worker.postMessage(null);
    });
  }

  abort(): void {
    this.fail(new Error('The encryption was stopped.'));
    void this.worker.terminate();
  }

  waitBelow(bytes: number): Promise<void> | null {
    if (this.failed) return Promise.reject(this.failed);
    if (this.inFlight <= bytes) return null;
    return new Promise((resolve, reject) => this.waiters.push({ bytes, resolve, reject }));
  }

  private send(): void {
    if (this.fill === 0) return;
    const b = this.block.subarray(0, this.fill);
    this.inFlight += this.fill;
    this.worker.postMessage(b, [b.buffer as ArrayBuffer]);
    this.block = this.free.pop() ?? Buffer.allocUnsafeSlow(WORKER_BLOCK);
    this.fill = 0;
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.done?.reject(e);
    for (const w of this.waiters) w.reject(e);
    this.waiters = [];
  }
}
