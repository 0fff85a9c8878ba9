/**
 * `npm start` prints no warnings of our own making: Forge's Vite plugin loads vite.main.config.mts,
 * vite.preload.config.mts and vite.renderer.config.mts with Vite's config loader (which warned, for each of main
 * and preload, that the helpers in scripts/forge were extensionless imports of ESM loaded as CommonJS), then
 * builds with them (the preload build warned that Forge's `inlineDynamicImports` is deprecated). The Electron
 * binary cannot run here, so this loads the same files with the same loader and builds the preload exactly as
 * Forge's generator configures it, recording every warning Vite or its bundler prints.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { build, createLogger, loadConfigFromFile, type InlineConfig, type Logger } from 'vite';
import config from '../../forge.config';

const ROOT = join(__dirname, '..', '..');
/** How Forge's plugin loads them for a build (Forge's typings widen ConfigEnv with its own fields, unused by these files). */
const BUILD_ENV = { command: 'build', mode: 'production' } as Parameters<typeof loadConfigFromFile>[0];
const CONFIG_FILES = ['vite.main.config.mts', 'vite.preload.config.mts', 'vite.renderer.config.mts'];

/** A Vite logger that keeps every warning and error (and still prints nothing). */
function recordingLogger(): { logger: Logger; said: string[] } {
  const said: string[] = [];
  const quiet = createLogger('silent');
  return {
    said,
    logger: { ...quiet, warn: (m) => said.push(m), warnOnce: (m) => said.push(m), error: (m) => said.push(m) },
  };
}

/** Lines printed through the console while `run` runs that look like a warning. */
async function consoleWarnings(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(a.join(' '))));
  try {
    await run();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines.filter((l) => /warn|deprecat|\(!\)/i.test(l));
}

describe('the Vite configs Forge loads print no warnings', () => {
  const outDir = join(ROOT, '.vite', `test-preload-${process.pid}`);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it.each(CONFIG_FILES)('%s loads without a config-loader warning', async (file) => {
    const { logger, said } = recordingLogger();
    const printed = await consoleWarnings(() => loadConfigFromFile(BUILD_ENV, join(ROOT, file), ROOT, 'info', logger));
    expect([...said, ...printed]).toEqual([]);
  });

  it('the preload builds as Forge configures it, into one file, without a warning', async () => {
    const plugin = (config.plugins as unknown as { name: string; config: unknown }[]).find((p) => p.name === 'vite')!;
    const { default: Generator } = (await import('@electron-forge/plugin-vite/dist/ViteConfig.js')) as unknown as {
      default: new (pluginConfig: unknown, projectDir: string, isProd: boolean) => { getBuildConfigs(): Promise<InlineConfig[]> };
    };
    const configs = await new Generator(plugin.config, ROOT, false).getBuildConfigs();
    const preload = configs.find((c) => JSON.stringify(c.build?.rollupOptions?.input ?? '').includes('preload'));
    expect(preload, 'forge.config.ts builds src/preload/preload.ts').toBeDefined();
    const { logger, said } = recordingLogger();
    let files: string[] = [];
    const printed = await consoleWarnings(async () => {
      const out = await build({ ...preload!, customLogger: logger, build: { ...preload!.build, outDir, watch: null } });
      files = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output.map((f) => f.fileName) : []));
    });
    expect([...said, ...printed]).toEqual([]);
    expect(files).toEqual(['preload.js']);
  });
});
