// @vitest-environment jsdom
/**
 * No store can be forgotten by the lock: every zustand store in src/renderer is made with defineStore
 * (lib/stores.ts) and so registered for resetAllStores(). Proved two ways — every renderer module is imported and
 * each exported store hook must be registered; and no renderer file but lib/stores.ts imports zustand's `create`
 * (ESLint refuses it too). Then resetAllStores() is shown to put every store back to its initial state.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registeredStores, resetAllStores } from '../../../src/renderer/lib/stores';

const ROOT = join(__dirname, '..', '..', '..', 'src', 'renderer');

/** Every renderer module but the entry (which renders into the page) and type declarations. */
const modules = import.meta.glob<Record<string, unknown>>(['../../../src/renderer/**/*.{ts,tsx}', '!../../../src/renderer/main.tsx', '!../../../src/renderer/**/*.d.ts'], {
  eager: true,
});

/** Is `v` a zustand store hook (what `create` returns)? */
const isStore = (v: unknown): v is { getState(): unknown; setState(s: unknown, replace?: boolean): void; getInitialState(): unknown } =>
  typeof v === 'function' && ['getState', 'setState', 'subscribe', 'getInitialState'].every((k) => typeof (v as unknown as Record<string, unknown>)[k] === 'function');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('store registry', () => {
  it('every store exported by any renderer module is registered for resetAllStores()', () => {
    expect(Object.keys(modules).length).toBeGreaterThan(50);
    const found: string[] = [];
    const registered = new Set(registeredStores().values() as Iterable<unknown>);
    for (const [path, mod] of Object.entries(modules)) {
      for (const [name, value] of Object.entries(mod)) {
        if (!isStore(value)) continue;
        found.push(`${path.replace(/^.*src\/renderer\//, '')}:${name}`);
        expect(registered.has(value), `${path} exports ${name}, a store not made with defineStore`).toBe(true);
      }
    }
    // The stores of the app today (a new one adds itself to this list by being found above).
    expect(found.sort()).toEqual(
      expect.arrayContaining([
        'lib/idle-lock.ts:useIdleLockStore',
        'lib/navigation.ts:useAppStore',
        'features/audit/store.ts:useAuditStore',
        'features/dashboard/store.ts:useDashboardStore',
        'features/outbox/store.ts:useOutboxStore',
        'features/release-wizard/store.ts:useWizardStore',
        'features/releases/store.ts:useReleasesStore',
        'features/requests/store.ts:useRequestsStore',
        'features/setup/store.ts:useSetupStore',
        'features/unlock/store.ts:useUnlockStore',
      ]),
    );
    expect(registeredStores().size).toBe(found.length);
  });

  it('no renderer file but lib/stores.ts makes a store with zustand directly', () => {
    const offenders = filesUnder(ROOT)
      .filter((f) => !f.endsWith(join('lib', 'stores.ts')))
      .filter((f) => /from\s+['"]zustand(\/vanilla)?['"]/.test(readFileSync(f, 'utf8')) && /\bcreate(Store)?\b/.test(readFileSync(f, 'utf8').match(/import\s*\{[^}]*\}\s*from\s+['"]zustand[^'"]*['"]/g)?.join(' ') ?? ''))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('stores listen to events from main only through listenUntilLock (closed at the lock), never window.apiEvents directly', () => {
    const offenders = filesUnder(ROOT)
      .filter((f) => !f.endsWith(join('lib', 'stores.ts')))
      .filter((f) => {
        const text = readFileSync(f, 'utf8');
        return /\bdefineStore\s*</.test(text) && /apiEvents\??\.on\(/.test(text);
      })
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('resetAllStores() puts every registered store back to its initial state (replacing, so no extra field survives)', () => {
    for (const store of registeredStores().values()) store.setState({ ...(store.getState() as object), leftover: 'Zyxwv Testpatient' }, true);
    resetAllStores();
    for (const [name, store] of registeredStores()) {
      expect(store.getState(), name).toBe(store.getInitialState());
      expect(JSON.stringify(store.getState()), name).not.toContain('Testpatient');
    }
  });
});
