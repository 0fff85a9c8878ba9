import { channels, CHANNEL_NAMES, LONE_SURROGATE, type ChannelName, type ChannelOutput, type ParsedInput, type RpcResult } from '../../shared/contract';
import { isAppError } from '../../shared/errors';
import type { Logger } from '../services/support/logger';
import { gateOf } from './roles';

/** One function per contract channel: parsed input in, output out (may throw AppError). */
export type Handlers = { [C in ChannelName]: (input: ParsedInput<C>) => Promise<ChannelOutput<C>> | ChannelOutput<C> };

/** The single entry point both transports (Electron IPC and the test host) call. Never throws. */
export type Dispatch = (channel: string, input: unknown) => Promise<RpcResult<unknown>>;

/**
 * Build the dispatcher: validate the channel name and the input against the
 * contract (zod), run the handler, validate its output, and wrap everything in
 * `{ok:true,value}` or `{ok:false,error:{code,message}}`.
 *
 * Error messages are PHI-free by construction: AppError messages are ours;
 * zod issues are reduced to field paths (never the offending values); any
 * other exception becomes INTERNAL and is logged by name only.
 * `hooks.onInvalidInput` lets the caller audit refused input (164.312(b)).
 */
export interface DispatchHooks {
  /**
   * Called when input fails the contract, with the channel and the offending
   * field paths (never values), so the refusal can be audited.
   */
  onInvalidInput?(channel: ChannelName, fields: string[]): void;
}

export function createDispatch(handlers: Handlers, logger: Logger, hooks: DispatchHooks = {}): Dispatch {
  const gate = gateOf(handlers);
  return async (channel, input) => {
    if (!isChannel(channel)) return { ok: false, error: { code: 'VALIDATION_FAILED', message: 'Unknown request.' } };
    // Who may call comes before what was sent (rpc/roles.ts): a refused caller learns nothing about the fields.
    try {
      gate?.(channel);
    } catch (e) {
      if (isAppError(e)) return { ok: false, error: e.toWire() };
      throw e;
    }
    const spec = channels[channel];
    const parsed = spec.input.safeParse(input ?? {});
    // Lone UTF-16 surrogates are refused in every string of every channel (passwords and free text included).
    const broken = loneSurrogatePaths(input);
    if (!parsed.success || broken.length > 0) {
      const fields = [...new Set([...(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.') || '(input)')), ...broken])];
      try {
        hooks.onInvalidInput?.(channel, fields);
      } catch (e) {
        logger.error('rpc.invalid_input_hook_failed', { channel, error: e instanceof Error ? e.name : typeof e });
      }
      return { ok: false, error: { code: 'VALIDATION_FAILED', message: `Some fields are missing or invalid: ${fields.join(', ')}.` } };
    }
    try {
      const handler = handlers[channel] as (i: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      const out = spec.output.safeParse(value);
      if (!out.success) {
        logger.error('rpc.output_invalid', { channel, issues: out.error.issues.length });
        return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside ReleaseDesk. Nothing was sent.' } };
      }
      return { ok: true, value: out.data };
    } catch (e) {
      if (isAppError(e)) return { ok: false, error: e.toWire() };
      logger.error('rpc.internal_error', { channel, error: e instanceof Error ? e.name : typeof e });
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside ReleaseDesk. Nothing was sent.' } };
    }
  };
}

/** Paths ("a.b.0") of the strings in `v` that hold a lone UTF-16 surrogate (contract LONE_SURROGATE); depth-bounded. */
export function loneSurrogatePaths(v: unknown, path: string[] = [], out: string[] = [], depth = 0): string[] {
  if (typeof v === 'string') {
    if (LONE_SURROGATE.test(v)) out.push(path.join('.') || '(input)');
  } else if (v && typeof v === 'object' && depth < 16 && out.length < 20) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) loneSurrogatePaths(x, [...path, k], out, depth + 1);
  }
  return out;
}

function isChannel(c: string): c is ChannelName {
  return (CHANNEL_NAMES as string[]).includes(c);
}
