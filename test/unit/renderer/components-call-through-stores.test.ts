/**
 * One state pattern in the renderer: screens and panels never call the main process themselves; every call goes
 * through the feature's zustand store (made with defineStore, so the lock empties it and drops replies in flight).
 * Proved by reading the source: no .tsx file under src/renderer, and no feature module other than a store
 * (`store.ts`, or a store's action group `actions-*.ts`), uses `window.api`, `window.rpc` or lib/call's `call`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..', 'src', 'renderer');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** The source without comments (a docstring may name `window.api` or a channel). */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** What in `text` reaches main directly, or null. */
export function directCall(text: string): string | null {
  if (/\bwindow\s*\.\s*(api|rpc)\b/.test(text)) return 'window.api / window.rpc';
  // A value import of `call` from lib/call (type-only imports and toApiError/ApiError are fine).
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"][./]*lib\/call['"]/g)) {
    if (m[1]) continue;
    const names = m[2]!.split(',').map((n) => n.trim()).filter((n) => !n.startsWith('type '));
    if (names.some((n) => n === 'call' || n.startsWith('call as '))) return 'imports call()';
  }
  if (/(^|[^.\w$])call\s*\(\s*['"`]/m.test(text)) return "call('…')";
  return null;
}

const isStoreModule = (f: string) => basename(f) === 'store.ts' || /^actions-[\w-]+\.ts$/.test(basename(f));

describe('components call main only through their feature store', () => {
  it('the check recognises each way of calling main, and not the allowed imports', () => {
    expect(directCall(`import { call, toApiError } from '../../lib/call';`)).toBe('imports call()');
    expect(directCall(`const r = await window.api['audit.patients']({ query });`)).toBe('window.api / window.rpc');
    expect(directCall(`void x.then(() => call('accounts.me', {}));`)).toBe("call('…')");
    expect(directCall(`import { toApiError, type ApiError } from '../../lib/call';\nfn.call(this, 1);`)).toBeNull();
    expect(directCall(`import type { ApiError } from '../lib/call';`)).toBeNull();
  });

  it('no .tsx file under src/renderer calls window.api, window.rpc or call()', () => {
    const tsx = filesUnder(ROOT).filter((f) => f.endsWith('.tsx') && !f.endsWith(join('renderer', 'main.tsx')));
    expect(tsx.length).toBeGreaterThan(60);
    const offenders = tsx.flatMap((f) => {
      const why = directCall(code(f));
      return why ? [`${relative(ROOT, f)}: ${why}`] : [];
    });
    expect(offenders).toEqual([]);
  });

  it('in features/, only stores (store.ts and their actions-*.ts) call main', () => {
    const offenders = filesUnder(join(ROOT, 'features'))
      .filter((f) => !isStoreModule(f))
      .flatMap((f) => {
        const why = directCall(code(f));
        return why ? [`${relative(ROOT, f)}: ${why}`] : [];
      });
    expect(offenders).toEqual([]);
  });
});
