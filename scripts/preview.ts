/**
 * `npm run preview`: the real ReleaseDesk UI and services in your browser, for
 * machines where the Electron binary is unavailable. Development only — the UI
 * says so in a banner. Data lives in RELEASEDESK_DATA_DIR (default
 * ~/.releasedesk-preview). Extra SMTP CA certificates: RELEASEDESK_SMTP_CA=/path/a.pem:/path/b.pem
 */
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCaFiles } from '../src/main/services';
import { sourceWorkerEntry } from '../src/main/services/packaging/worker-client';
import { startHost } from '../test/host/server';

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  process.stdout.write('Building the renderer (vite)…\n');
  execFileSync('npx', ['vite', 'build', '--config', 'vite.renderer.config.ts', '--mode', 'preview', '--outDir', '.preview-build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  const dataDir = process.env.RELEASEDESK_DATA_DIR ?? join(homedir(), '.releasedesk-preview');
  const ca = process.env.RELEASEDESK_SMTP_CA ? readCaFiles(process.env.RELEASEDESK_SMTP_CA.split(':').filter(Boolean)) : undefined;
  // Stand-in for the desktop app's folder and save dialogs: exports land here (preview only).
  // Beside the data folder but never a shared one (e.g. not /tmp/releasedesk-exports for RELEASEDESK_DATA_DIR=/tmp/x).
  const exportDir = process.env.RELEASEDESK_EXPORT_DIR ?? `${dataDir.replace(/[\\/]+$/, '')}-exports`;
  mkdirSync(exportDir, { recursive: true, mode: 0o700 });
  // Packaging in a worker thread, as in the desktop app (from source, through tsx).
  const host = await startHost({ dataDir, port: Number(process.env.PORT ?? 5178), smtpCa: ca, exportDir, packagingWorker: sourceWorkerEntry() });
  process.stdout.write(
    `\nReleaseDesk development preview (not the desktop app)\n  data folder:   ${dataDir}\n  export folder: ${exportDir}\n  open:          ${host.url}\n\nPress Ctrl+C to stop.\n`,
  );
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
