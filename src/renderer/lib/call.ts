/**
 * The renderer's one way to call main: `window.api` (values in, values out, a typed {@link ApiError} thrown), plus
 * dropping replies that arrive after the screen locked.
 */
import type { ChannelInput, ChannelName, ChannelOutput } from '../../shared/contract';
import { ApiError } from '../../shared/errors';

export { ApiError };

/**
 * Calls `channel` on `window.api` with `input`.
 *
 * `window.api[channel]` is invoked synchronously (before the first await), so a
 * call made inside a click handler keeps the user gesture — the preview bridge's
 * `documents.pick` needs that to open the file chooser.
 *
 * @returns the channel's output (shape per src/shared/contract.ts).
 * @throws ApiError with the wire error's code and message when main refuses the call.
 * A call whose reply arrives after the screen locked (see {@link dropPendingReplies}) never settles.
 */
export async function call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  // Api is a mapped type over the channel names, so window.api[channel] is this channel's function, no cast needed.
  const fn: (i: ChannelInput<C>) => Promise<ChannelOutput<C>> = window.api[channel];
  const startedIn = generation;
  // The screen locked while this call was in flight: its reply (which may carry PHI) or its error is dropped and the
  // promise never settles, so no store is filled again after resetAllStores() emptied it.
  const value = await fn(input).catch((e: unknown) => {
    if (startedIn !== generation) return new Promise<never>(() => {});
    throw e;
  });
  if (startedIn !== generation) return new Promise<never>(() => {});
  return value;
}

/** Incremented by {@link dropPendingReplies}; a call remembers the value it started with. */
let generation = 0;

/**
 * Makes every call in flight drop its reply (its promise never settles). Called by resetAllStores() when the
 * screen locks; calls made afterwards behave normally.
 */
export function dropPendingReplies(): void {
  generation++;
}

/** Turns anything thrown into an ApiError (unexpected ones become INTERNAL with a generic message, never the raw text). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('INTERNAL', 'Something unexpected went wrong. Nothing was sent.');
}
