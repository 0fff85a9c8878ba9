/**
 * Messages between the main thread and the packaging worker (worker-client.ts ↔ packaging-worker.ts),
 * and the value encoding both sides share.
 *
 * Byte arrays of {@link UPLOAD_MIN_BYTES} or more travel to the worker in pieces of
 * {@link UPLOAD_PIECE_BYTES}, each copied once and transferred, with the main thread's event loop
 * free between pieces (one structured clone of a large release would stop it for as long as the copy
 * takes). Results come back with their byte arrays transferred (no copy). Errors cross as
 * `{ code, message, detail }` of an AppError; anything else becomes PACKAGING_FAILED with our own
 * words, so no library message (which may quote a file's content) reaches the main process.
 */
import { AppError, type ErrorCode, isAppError } from '../../../shared/errors';

/** Byte arrays at least this long are uploaded in pieces. */
export const UPLOAD_MIN_BYTES = 1 << 20;
/** Size of one upload piece (one copy of this size on the main thread per turn of its event loop). */
export const UPLOAD_PIECE_BYTES = 1 << 20;

/** A value as posted: plain data, with large byte arrays replaced by `{ [UPLOAD]: id }`. */
export type WireValue = unknown;
/** The key marking an uploaded byte array's reference. */
export const UPLOAD = '__packagingUpload';

/** The job names the worker runs (PackagingJobs' methods, and warmUp: see PackagingWorker.warm). */
export type JobName = 'assemblePacket' | 'splitPacket' | 'encryptPdfAes256' | 'signDetached' | 'encryptAndSignPart' | 'warmUp';

/** Main thread → worker. */
export type ToWorker =
  | { type: 'upload-start'; upload: number; length: number }
  | { type: 'upload-piece'; upload: number; piece: Uint8Array }
  | { type: 'job'; id: number; job: JobName; args: WireValue[] };

/** A coded, PHI-free error as it crosses the thread boundary. */
export interface WireJobError {
  code: ErrorCode;
  message: string;
  detail?: Record<string, string | number | boolean>;
}

/** Worker → main thread. */
export type FromWorker =
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: WireJobError };

/** The error the main thread sees for a failure that is not an AppError (its own message is never passed on). */
export const PACKAGING_FAILED_MESSAGE = 'The release packet could not be prepared. Nothing was sent or saved; try again, and if it keeps failing, check the selected documents.';

/** `e` as it may cross to the main thread: an AppError's code, message and detail, else PACKAGING_FAILED. */
export function encodeError(e: unknown): WireJobError {
  if (isAppError(e)) return { code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) };
  return { code: 'PACKAGING_FAILED', message: PACKAGING_FAILED_MESSAGE };
}

/** The AppError for a {@link WireJobError}. */
export function decodeError(e: WireJobError): AppError {
  return new AppError(e.code, e.message, e.detail);
}

/**
 * A copy of `u[from, to)` in its own ArrayBuffer. (Buffer#slice is a view, not a copy: posting or
 * transferring it would clone the whole pool it sits in, or take the caller's memory away.)
 */
export function copyOf(u: Uint8Array, from: number, to: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.prototype.slice.call(u, from, to) as Uint8Array<ArrayBuffer>;
}

/** Whether `u` owns its whole ArrayBuffer (so transferring it moves nothing else). */
function ownsBuffer(u: Uint8Array): boolean {
  return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && u.buffer instanceof ArrayBuffer;
}

/** The ArrayBuffers of the byte arrays in `value` that own their buffer, once each: transfer them. */
export function collectTransfers(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (value instanceof Uint8Array) {
    if (ownsBuffer(value) && value.byteLength > 0) out.add(value.buffer as ArrayBuffer);
  } else if (Array.isArray(value)) for (const v of value) collectTransfers(v, out);
  else if (value && typeof value === 'object' && !(value instanceof Date)) for (const v of Object.values(value)) collectTransfers(v, out);
  return [...out];
}

/**
 * Encode `value` for posting: byte arrays of {@link UPLOAD_MIN_BYTES} or more are handed to
 * `upload` (which sends them in pieces and returns their id); smaller ones are copied to their own
 * buffer (a view posted as is would clone its whole underlying buffer); functions are dropped.
 */
export async function encodeValue(value: unknown, upload: (bytes: Uint8Array) => Promise<number>): Promise<WireValue> {
  if (value instanceof Uint8Array) return value.length >= UPLOAD_MIN_BYTES ? { [UPLOAD]: await upload(value) } : copyOf(value, 0, value.length);
  if (Array.isArray(value)) {
    const out: WireValue[] = [];
    for (const v of value) out.push(await encodeValue(v, upload));
    return out;
  }
  if (value instanceof Date || value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  const out: Record<string, WireValue> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'function') out[k] = await encodeValue(v, upload);
  return out;
}

/** Decode a posted value in the worker: upload references become the uploaded byte arrays (taken out of `uploads`). */
export function decodeValue(value: WireValue, uploads: Map<number, { bytes: Uint8Array; filled: number }>): unknown {
  if (value instanceof Uint8Array || value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, uploads));
  const ref = (value as Record<string, unknown>)[UPLOAD];
  if (typeof ref === 'number') {
    const u = uploads.get(ref);
    uploads.delete(ref);
    if (!u || u.filled !== u.bytes.length) throw new Error('upload incomplete');
    return u.bytes;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v, uploads);
  return out;
}
