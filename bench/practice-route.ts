/**
 * "practice-route send" rows (issue #17 with issue #16's budget): a release of BENCH_PRACTICE_MIB (default 100) MiB
 * through the app's own practice link — `releases.send` via the dispatcher on a workstation joined (Settings →
 * Practice server) to a throwaway PostgreSQL on 127.0.0.1 (TLS verified), handed to the shared outbox and sent from
 * it by the background pass (the stored message streamed from the server chunk by chunk into SMTP DATA) to a
 * discarding SMTP test server (STARTTLS) — against the single-vault `releases.send` of the same release size in the
 * same run (the reference column). Each side: a fresh vault made by bench/releases-send-child.ts `setup`, the measured
 * send in a fresh bundled child process (bench/practice-route-child.ts, releases-send-child.ts `send`).
 * Figures: MB/s of records, peak RSS (VmHWM of the send), main-thread event-loop delay p99.
 * Needs PostgreSQL's server binaries, openssl, qpdf; prints the load average.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { postgresBinDir, startPostgres } from '../test/support/postgres';
import type { BenchRow } from './row';

/** The bench's child bundler (run.ts bundleChild). */
export type BundleChild = (entry: string, dir: string, packagesExternal?: boolean) => Promise<string>;

interface SendFigures {
  ms: number;
  status: string;
  parts: number;
  bytesSent: number;
  peakRss: number;
  rssBefore: number;
  loopP99: number;
  loopMax: number;
}

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').at(-1)!) as T;

/**
 * The practice-route row, with the single-vault send of the same size as its reference.
 * @param dir the bench's temp folder; `bundle` run.ts's bundleChild
 */
export async function benchPracticeRoute(dir: string, bundle: BundleChild): Promise<BenchRow[]> {
  const mib = Number(process.env.BENCH_PRACTICE_MIB ?? 100);
  const input = `~${mib} MiB release (12 MiB scans), PGP/MIME`;
  if (!postgresBinDir()) return [{ task: 'practice-route send', input, ours: 'PostgreSQL not installed', oursMs: null, reference: '—', refMs: null, note: 'install Debian package "postgresql"' }];
  const setupChild = await bundle('releases-send-child.ts', dir, true);
  const routeChild = await bundle('practice-route-child.ts', dir, true);
  const setup = () => lastJson<{ dataDir: string; releaseId: string; recordBytes: number }>(execFileSync(process.execPath, [setupChild, 'setup', String(mib)], { encoding: 'utf8', maxBuffer: 2 ** 20 }));
  const pg = await startPostgres();
  try {
    // Reference: the same size sent from this workstation's own vault (no practice server).
    const a = setup();
    const single = lastJson<SendFigures>(execFileSync(process.execPath, ['--expose-gc', setupChild, 'send', a.dataDir, a.releaseId], { encoding: 'utf8', maxBuffer: 2 ** 20 }));
    const b = setup();
    const config = { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, caPem: pg.caPem };
    const route = lastJson<SendFigures & { pushedMs: number; pushedStatus: string; sampledPeakRss: number }>(
      execFileSync(process.execPath, ['--expose-gc', routeChild, 'send', b.dataDir, b.releaseId, JSON.stringify(config)], { encoding: 'utf8', maxBuffer: 2 ** 20 }),
    );
    if (route.status !== 'sent' || single.status !== 'sent') throw new Error(`practice-route bench: statuses ${route.status} / ${single.status}`);
    const mbs = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);
    const mb = (x: number) => (x / 1e6).toFixed(0);
    return [
      {
        task: 'practice-route send',
        input: `${(b.recordBytes / 2 ** 20).toFixed(0)} MiB release (12 MiB scans), PGP/MIME`,
        ours: 'releases.send → shared outbox (PostgreSQL, TLS) → background pass streams it → SMTP (local, discards)',
        oursMs: route.ms,
        reference: 'releases.send from the single vault (same size)',
        refMs: single.ms,
        note:
          `${route.status}; ${route.parts} message(s), ${(route.bytesSent / 1e6).toFixed(1)} MB over SMTP; ${mbs(b.recordBytes, route.ms)} vs ${mbs(a.recordBytes, single.ms)} MB/s of records ` +
          `(prepare + push to the server ${(route.pushedMs / 1000).toFixed(1)} s, then drain + pull); peak RSS ${mb(route.peakRss)} vs ${mb(single.peakRss)} MB ` +
          `(+${mb(route.peakRss - route.rssBefore)} vs +${mb(single.peakRss - single.rssBefore)} MB over the idle process); event-loop delay p99 ${route.loopP99.toFixed(0)} vs ${single.loopP99.toFixed(0)} ms ` +
          `(max ${route.loopMax.toFixed(0)} vs ${single.loopMax.toFixed(0)}); load avg ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      },
    ];
  } finally {
    await pg.stop();
    rmSync(routeChild, { force: true });
    rmSync(setupChild, { force: true });
  }
}
