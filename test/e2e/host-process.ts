/**
 * Test hosts in their own process, for Playwright (run with tsx), one process per Playwright worker.
 *
 * Playwright's loader compiles TypeScript to CommonJS and cannot load service
 * modules that use `import.meta.url` (packaging/qpdf.ts); tsx can. Loading the
 * service modules takes seconds, so the worker's process stays up and starts one
 * host after another, each with new services on its own data folder: it reads
 * one JSON command per line on stdin and answers one line on stdout.
 *
 *   {"cmd":"start","cfg":{ dataDir, smtpCa?, exportDir?, queue?, presence? }} → `READY {"url","origin","token"}`
 *     (the real host: real services, encrypted vault in `dataDir`; CA certificates as PEM text; exportDir: where
 *     the preview's releases.export / documents.export write; queue: a fast outbox sender; presence: how soon a silent
 *     tab locks the vault)
 *   {"cmd":"stop"} → `STOPPED` once the running host is closed (its queue stopped, its vault locked)
 *
 * A host that fails to start answers `FAILED <error name>`. SIGTERM closes the running host and exits.
 */
import { createInterface } from 'node:readline';
import { startHost, type Host, type HostOptions } from '../host/server';

interface StartConfig {
  dataDir: string;
  smtpCa?: string[];
  exportDir?: string;
  queue?: HostOptions['queue'];
  presence?: { timeoutMs: number };
}

let host: Host | null = null;

async function start(cfg: StartConfig): Promise<string> {
  if (host) await stop();
  try {
    host = await startHost({
      dataDir: cfg.dataDir,
      smtpCa: cfg.smtpCa,
      ...(cfg.exportDir ? { exportDir: cfg.exportDir } : {}),
      ...(cfg.queue ? { queue: cfg.queue } : {}),
      ...(cfg.presence ? { presence: cfg.presence } : {}),
    });
  } catch (e) {
    return `FAILED ${e instanceof Error ? e.name : 'error'}`;
  }
  return `READY ${JSON.stringify({ url: host.url, origin: host.origin, token: host.token })}`;
}

async function stop(): Promise<string> {
  const h = host;
  host = null;
  await h?.close();
  return 'STOPPED';
}

const lines = createInterface({ input: process.stdin });
let chain = Promise.resolve();
lines.on('line', (line) => {
  chain = chain.then(async () => {
    const msg = JSON.parse(line) as { cmd: 'start'; cfg: StartConfig } | { cmd: 'stop' };
    const answer = msg.cmd === 'start' ? await start(msg.cfg) : await stop();
    process.stdout.write(`${answer}\n`);
  });
});
lines.on('close', () => void stop().then(() => process.exit(0)));
const quit = () => void stop().then(() => process.exit(0));
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
