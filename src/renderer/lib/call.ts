/**
 * The renderer's one way to call main: unwraps `RpcResult` and throws a typed
 * {@link ApiError} for the UI to show.
 */
import type { ChannelInput, ChannelName, ChannelOutput, RpcResult } from '../../shared/contract';

/** A coded, PHI-free failure from main (`code` from src/shared/errors.ts ERROR_CODES). */
export class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

/**
 * Calls `channel` on `window.api` with `input`.
 *
 * `window.api[channel]` is invoked synchronously (before the first await), so a
 * call made inside a click handler keeps the user gesture — the preview bridge's
 * `documents.pick` needs that to open the file chooser.
 *
 * @returns the channel's output (shape per src/shared/contract.ts).
 * @throws ApiError with the wire error's code and message when main answers `{ ok: false }`.
 */
export async function call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const fn = window.api[channel] as unknown as (i: ChannelInput<C>) => Promise<RpcResult<ChannelOutput<C>>>;
  const result = await fn(input);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message);
  return result.value;
}

/** Turns anything thrown into an ApiError (unexpected ones become INTERNAL with a generic message, never the raw text). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('INTERNAL', 'Something unexpected went wrong. Nothing was sent.');
}
