/**
 * Services are named after their channels and know nothing of them (docs/architecture.md, "Main process"):
 * every handler of `'<namespace>.<verb>'` makes exactly one service call, `services.<namespace>.<verb>(…)`; and no
 * service imports the channel types (`ChannelInput`, `ChannelOutput`, `ParsedInput`): they take and return the
 * domain types of src/shared/schemas, and the handlers adapt.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Services } from '../../src/main/services';
import { channelHandlers } from '../../src/main/rpc/handlers';
import { CHANNEL_NAMES } from '../../src/shared/contract';

const ROOT = join(__dirname, '..', '..');

/**
 * A stand-in for anything: every property is another stand-in one step further down the path, every call is
 * recorded by its path (`'releases.send'`) when `calls` is given. Not thenable, so `await` returns it unchanged.
 */
function anything(path: string[], calls?: string[]): unknown {
  return new Proxy(function stand() {}, {
    get: (_t, key) => (key === 'then' || typeof key === 'symbol' ? undefined : anything([...path, key], calls)),
    apply: () => {
      calls?.push(path.join('.'));
      return anything([...path, '()']);
    },
  });
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e) ? [p] : [];
  });
}

const CHANNEL_TYPES = /\b(?:ChannelInput|ChannelOutput|ParsedInput)\b/;

describe('services match their channels', () => {
  it('every channel’s handler calls exactly services.<namespace>.<verb>, its own name', async () => {
    const calls: string[] = [];
    const handlers = channelHandlers(anything([], calls) as Services);
    const served: Record<string, string[]> = {};
    for (const name of CHANNEL_NAMES) {
      calls.length = 0;
      await (handlers[name] as (input: unknown) => unknown)(anything(['input']));
      served[name] = [...calls];
    }
    expect(served).toEqual(Object.fromEntries(CHANNEL_NAMES.map((name) => [name, [name]])));
  });

  it('the check tells a mismatched handler apart', async () => {
    const calls: string[] = [];
    const s = anything([], calls) as { releases: { workflow: { outbox(): unknown } } };
    s.releases.workflow.outbox();
    expect(calls).toEqual(['releases.workflow.outbox']);
  });

  it('no file under src/main/services imports ChannelInput, ChannelOutput or ParsedInput', () => {
    const offenders = tsFiles(join(ROOT, 'src', 'main', 'services'))
      .filter((f) => CHANNEL_TYPES.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('the import check sees a channel type in an import list', () => {
    expect("import type { ChannelOutput, ReleaseDetailT } from '../../../shared/contract';").toMatch(CHANNEL_TYPES);
    expect("import type { ReleaseDetailT } from '../../../shared/contract';").not.toMatch(CHANNEL_TYPES);
  });
});
