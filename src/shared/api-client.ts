/**
 * `window.api`: one function per contract channel that resolves to the channel's output or throws an
 * {@link ApiError} with the coded, PHI-free error main answered.
 *
 * Every transport carries the result envelope (`RpcResult`, never a thrown error): Electron IPC through the preload's
 * `window.rpc`, and the preview's HTTP bridge to the test host. The envelope is unwrapped here, in the page's own
 * world, because an Error crossing Electron's contextBridge keeps only its message (its `code` would be lost).
 */
import { CHANNEL_NAMES, type Api, type ApiWire, type ChannelName, type RpcResult } from './contract';
import { ApiError } from './errors';

/** What a transport does: send one call, answer the envelope. Must invoke synchronously (a click keeps its gesture). */
export type Send = (channel: ChannelName, input: unknown) => Promise<RpcResult<unknown>>;

/** The message when the transport itself failed (no envelope came back). */
export const TRANSPORT_FAILED = 'ReleaseDesk could not reach its main process. Nothing was sent.';

/**
 * Builds the typed API over `send`. Each function calls `send` before its first await, so a call made inside a
 * click handler keeps the user gesture (the preview opens the file chooser there).
 * @throws ApiError — the envelope's `{ code, message }`, or INTERNAL when the transport rejected.
 */
export function createApi(send: Send): Api {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of CHANNEL_NAMES) {
    api[name] = (input: unknown) => unwrap(send(name, input ?? {}));
  }
  return Object.freeze(api) as Api;
}

/** The typed API over the per-channel wire functions the preload exposes as `window.rpc`. */
export function apiOverWire(wire: ApiWire): Api {
  return createApi((name, input) => (wire[name] as (i: unknown) => Promise<RpcResult<unknown>>)(input));
}

async function unwrap(pending: Promise<RpcResult<unknown>>): Promise<unknown> {
  let result: RpcResult<unknown>;
  try {
    result = await pending;
  } catch {
    throw new ApiError('INTERNAL', TRANSPORT_FAILED);
  }
  if (!result || typeof result !== 'object' || !('ok' in result)) throw new ApiError('INTERNAL', TRANSPORT_FAILED);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message);
  return result.value;
}
