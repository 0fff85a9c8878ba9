import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FuseV1Options } from '@electron/fuses';
import config from '../../forge.config';
import { BUILD_ONLY_DEPENDENCIES, copyPackagedNodeModules, EXTERNAL_PACKAGES, PACKAGED_NODE_MODULES, runtimeDependenciesOf } from '../../scripts/forge/native-modules.mts';
import { MAIN_EXTERNALS } from '../../scripts/forge/externals.mts';

const ROOT = join(__dirname, '..', '..');
const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Plugin = { name: string; config?: unknown; fusesConfig?: Record<string | number, unknown> };

describe('forge.config.ts', () => {
  const plugins = config.plugins as unknown as Plugin[];

  it('builds main, the packaging worker thread, preload and the main_window renderer with Vite', () => {
    const vite = plugins.find((p) => p.name === 'vite')!.config as { build: { entry: string; config: string; target: string }[]; renderer: { name: string; config: string }[] };
    expect(vite.build).toEqual([
      { entry: 'src/main/electron/main.ts', config: 'vite.main.config.mts', target: 'main' },
      { entry: 'src/main/services/packaging/packaging-worker.ts', config: 'vite.main.config.mts', target: 'main' },
      { entry: 'src/preload/preload.ts', config: 'vite.preload.config.mts', target: 'preload' },
    ]);
    expect(vite.renderer).toEqual([{ name: 'main_window', config: 'vite.renderer.config.mts' }]);
  });

  it('flips the security fuses (docs/tutorial/fuses.md)', () => {
    const fuses = plugins.find((p) => p.name === 'fuses')!.fusesConfig!;
    expect(fuses[FuseV1Options.RunAsNode]).toBe(false);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
  });

  it('packages into an asar with native modules unpacked, and has the four makers', () => {
    expect(config.packagerConfig?.asar).toEqual({ unpack: '**/*.node' });
    expect((config.makers as unknown as { name: string }[]).map((m) => m.name).sort()).toEqual(['deb', 'dmg', 'squirrel', 'zip']);
    expect(typeof config.hooks?.packageAfterCopy).toBe('function');
  });

  it('every runtime dependency of the external packages is copied (build-only ones excluded)', () => {
    for (const name of PACKAGED_NODE_MODULES) {
      for (const dep of runtimeDependenciesOf(ROOT, name)) {
        if ((BUILD_ONLY_DEPENDENCIES as readonly string[]).includes(dep)) continue;
        expect(PACKAGED_NODE_MODULES, `${name} needs ${dep}`).toContain(dep);
      }
    }
    for (const name of EXTERNAL_PACKAGES) expect(MAIN_EXTERNALS.some((e) => (typeof e === 'string' ? e === name : e.test(name)))).toBe(true);
  });

  it('packageAfterCopy copies the native modules into <buildPath>/node_modules without build intermediates', async () => {
    const buildPath = mkdtempSync(join(tmpdir(), 'rd-pkg-'));
    tmp.push(buildPath);
    await config.hooks!.packageAfterCopy!(config as never, buildPath, '45.5.0', 'linux', 'x64');
    for (const name of PACKAGED_NODE_MODULES) expect(existsSync(join(buildPath, 'node_modules', name, 'package.json')), name).toBe(true);
    expect(existsSync(join(buildPath, 'node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node'))).toBe(true);
    expect(existsSync(join(buildPath, 'node_modules/better-sqlite3-multiple-ciphers/build/Release/obj'))).toBe(false);
    expect(existsSync(join(buildPath, 'node_modules/argon2/prebuilds/linux-x64'))).toBe(true);
    expect(existsSync(join(buildPath, 'node_modules/@neslinesli93/qpdf-wasm/dist/qpdf.wasm'))).toBe(true);
    expect(() => copyPackagedNodeModules(ROOT, buildPath, ['not-installed-package-xyz'])).toThrow(/not installed/);
  });
});
