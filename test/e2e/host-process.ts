/**
 * The test host in its own process, for Playwright (run with tsx).
 *
 * Playwright's loader compiles TypeScript to CommonJS and cannot load service
 * modules that use `import.meta.url` (packaging/qpdf.ts); tsx can. So the
 * fixture spawns this script, which starts the real host (real services,
 * encrypted vault in `dataDir`) and prints one line `READY <json>` with
 * `{ url, origin, token }`. SIGTERM closes the host and exits.
 *
 * argv[2]: JSON `{ dataDir: string, smtpCa: string[], exportDir?: string, queue?: { tickMs, retry }, presence?: { timeoutMs } }`
 * (CA certificates as PEM text; exportDir: where the preview's releases.export / documents.export write; queue: a fast
 * outbox sender; presence: how soon a silent tab locks the vault).
 */
import { startHost, type HostOptions } from '../host/server';

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; smtpCa?: string[]; exportDir?: string; queue?: HostOptions['queue']; presence?: { timeoutMs: number } };
  const host = await startHost({
    dataDir: cfg.dataDir,
    smtpCa: cfg.smtpCa,
    ...(cfg.exportDir ? { exportDir: cfg.exportDir } : {}),
    ...(cfg.queue ? { queue: cfg.queue } : {}),
    ...(cfg.presence ? { presence: cfg.presence } : {}),
  });
  process.stdout.write(`READY ${JSON.stringify({ url: host.url, origin: host.origin, token: host.token })}\n`);
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main().catch((e: unknown) => {
  process.stderr.write(`host failed to start: ${e instanceof Error ? e.name : 'error'}\n`);
  process.exit(1);
});
