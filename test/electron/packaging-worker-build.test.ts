/**
 * The packaging worker as the desktop app runs it: built by Forge's own Vite config generator from
 * forge.config.ts (the entry `src/main/services/packaging/packaging-worker.ts` with vite.main.config.mts,
 * exactly what `npm start` / `npm run make` build), then started from the built file with
 * builtWorkerEntry(buildDir), as src/main/electron/app.ts does. Plain Node stands in for Electron's
 * main process (the Electron binary cannot be downloaded here); the bundle must need nothing Electron has
 * and Node lacks.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, type InlineConfig } from 'vite';
import config from '../../forge.config';
import { builtWorkerEntry, PackagingWorker } from '../../src/main/services/packaging/worker-client';
import { run, textPdf, writeTmp, tempDir, ASSETS } from '../unit/packaging/fixtures';
import { requireTool } from '../support/tools';

const ROOT = join(__dirname, '..', '..');
/**
 * A module-level `const require = createRequire(import.meta.url)` becomes, with the CommonJS import.meta
 * define (scripts/forge/externals.mts), `var require$1 = createRequire(require$1("node:url")…)`: the bundle
 * throws at load ("require$1 is not a function").
 */
const SHADOWED_REQUIRE = /var (require\$\d+) = [^\n]*\b\1\("node:url"\)/;
const ENTRY = 'src/main/services/packaging/packaging-worker.ts';

describe.skipIf(!requireTool('qpdf'))('packaging worker built by Forge’s Vite plugin', () => {
  // Inside the project (like .vite/build), so the bundle's externals resolve from its node_modules.
  const outDir = join(ROOT, '.vite', `test-worker-${process.pid}`);
  const t = tempDir();
  let worker: PackagingWorker | null = null;
  afterAll(async () => {
    await worker?.close();
    rmSync(outDir, { recursive: true, force: true });
    t.cleanup();
  });

  it('builds packaging-worker.js beside main.js, and the app’s builtWorkerEntry runs it: a password PDF qpdf opens, a packet with the bundled fonts', async () => {
    const plugin = (config.plugins as unknown as { name: string; config: unknown }[]).find((p) => p.name === 'vite')!;
    // Forge's own generator (what `electron-forge start/package` uses), production mode.
    const { default: Generator } = (await import('@electron-forge/plugin-vite/dist/ViteConfig.js')) as unknown as {
      default: new (pluginConfig: unknown, projectDir: string, isProd: boolean) => { getBuildConfigs(): Promise<InlineConfig[]> };
    };
    const configs = await new Generator(plugin.config, ROOT, true).getBuildConfigs();
    const workerConfig = configs.find((c) => JSON.stringify(c.build?.lib ?? {}).includes('packaging-worker'));
    expect(workerConfig, `forge.config.ts builds ${ENTRY}`).toBeDefined();
    mkdirSync(outDir, { recursive: true });
    await build({ ...workerConfig!, configFile: false, logLevel: 'silent', build: { ...workerConfig!.build, outDir, minify: false, watch: null } });
    const built = join(outDir, 'packaging-worker.js');
    expect(existsSync(built)).toBe(true);
    const code = readFileSync(built, 'utf8');
    expect(code).not.toMatch(/require\(["']electron["']\)/);
    expect(code).not.toMatch(SHADOWED_REQUIRE);

    worker = new PackagingWorker(builtWorkerEntry(outDir));
    const pass = 'maple-river-stone-cloud';
    const enc = await worker.encryptPdfAes256(await textPdf('Zyxwv built worker', 2), pass);
    const path = writeTmp(t.dir, 'built.pdf', enc);
    expect(run('qpdf', ['--check', `--password=${pass}`, path]).status).toBe(0);
    expect(run('qpdf', ['--show-encryption', `--password=${pass}`, path]).stdout).toContain('R = 6');
    const packet = await worker.assemblePacket({
      practice: { name: 'Maple Street Family Medicine' }, recipient: { name: 'Zyxwv Testpatient' }, purpose: 'At the request of the individual',
      reference: 'REQ-2026-0100', releaseNumberPrefix: 'B-', createdAt: new Date('2026-03-02T15:00:00Z'), timeZone: 'America/Chicago',
      sources: [{ id: 'a', bytes: await textPdf('Zyxwv record', 2), mediaType: 'application/pdf' }], includePart2Notice: false, assetsRoot: ASSETS,
    });
    expect(packet.pageCount).toBe(4);
    await expect(worker.encryptPdfAes256(Buffer.from('not a pdf'), pass)).rejects.toMatchObject({ code: 'PDF_ENCRYPTION_FAILED' });
  }, 300_000);

  it('the main bundle has no `require` shadowed by the import.meta.url define (it would throw when Electron loads main.js)', async () => {
    const plugin = (config.plugins as unknown as { name: string; config: unknown }[]).find((p) => p.name === 'vite')!;
    const { default: Generator } = (await import('@electron-forge/plugin-vite/dist/ViteConfig.js')) as unknown as {
      default: new (pluginConfig: unknown, projectDir: string, isProd: boolean) => { getBuildConfigs(): Promise<InlineConfig[]> };
    };
    const mainConfig = (await new Generator(plugin.config, ROOT, true).getBuildConfigs()).find((c) => JSON.stringify(c.build?.lib ?? {}).includes('electron/main'))!;
    const mainOut = join(outDir, 'main');
    await build({ ...mainConfig, configFile: false, logLevel: 'silent', build: { ...mainConfig.build, outDir: mainOut, minify: false, watch: null } });
    expect(readFileSync(join(mainOut, 'main.js'), 'utf8')).not.toMatch(SHADOWED_REQUIRE);
  }, 300_000);
});
