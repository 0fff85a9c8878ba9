/**
 * The audit chain's verification workers run from the main-process bundle exactly as Vite builds it for Electron
 * (vite.main.config.ts: CommonJS, minified, the vault module external, `import.meta.url` defined from
 * __filename): the worker source is inlined in the bundle and the vault module is resolved from the bundle's
 * place, whatever the working directory. Nothing falls back to the calling thread.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, mergeConfig, type InlineConfig, type UserConfig } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import mainConfig from '../../vite.main.config';

const ROOT = join(__dirname, '..', '..');
const out = join(ROOT, '.vite', 'test-chain-worker'); // inside the project, so externals resolve from its node_modules as .vite/build/main.js does
const cwd = mkdtempSync(join(tmpdir(), 'rd-cwd-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe('audit chain workers in the Vite-built main bundle', () => {
  it('verify in worker threads from the minified CommonJS bundle, started from another folder', async () => {
    await build(
      mergeConfig(mainConfig as UserConfig, {
        configFile: false,
        root: ROOT,
        logLevel: 'error',
        build: { lib: { entry: join(__dirname, 'fixtures', 'chain-worker-entry.ts'), fileName: () => '[name].js', formats: ['cjs'] }, outDir: out, emptyOutDir: true, minify: true, copyPublicDir: false },
      } satisfies InlineConfig),
    );
    const stdout = execFileSync(process.execPath, [join(out, 'chain-worker-entry.js')], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ intact: true, checked: 200, fallbacks: [], same: true });
  }, 120_000);
});
