/**
 * Shared-queue benchmark (issue #17): releases per second drained from the practice's shared outbox to a local SMTP
 * server (smtp-server with STARTTLS, verified) by one and by two workstation PROCESSES on PostgreSQL
 * (scripts/practice-workstation.ts against a throwaway cluster on 127.0.0.1, TLS verified), against the same work on
 * the embedded engine (a SQLCipher file, one workstation: the sender in this process). Each run: a fresh database,
 * BENCH_QUEUE_RELEASES single-message releases (default 200, about 1.6 KB each) queued first (not timed); the time is
 * from the first workstation starting to drain to the last one finishing (process start-up not counted).
 * Needs PostgreSQL's server binaries and openssl; prints the load average (a shared machine's wall time mostly
 * measures the other processes).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setUpPracticeKey } from '../src/main/services/practice/keys-repo';
import { migratePractice } from '../src/main/services/practice/migrate';
import { openPgEngine } from '../src/main/services/practice/pg-engine';
import { practiceQueueIo } from '../src/main/services/practice/queue-io';
import { listQueuedReleases } from '../src/main/services/practice/queue-repo';
import { QueueWorker } from '../src/main/services/practice/queue-worker';
import { openSqliteEngine } from '../src/main/services/practice/sqlite-engine';
import type { SqlEngine } from '../src/main/services/practice/engine';
import { runWorkstations } from '../test/crash/practice-drain';
import { pgConfig } from '../test/support/practice-engines';
import { fillQueue } from '../test/support/practice-queue';
import { postgresBinDir, startPostgres } from '../test/support/postgres';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer } from '../test/support/smtp';
import type { BenchRow } from './row';

/** A row of the shared-queue benchmark (always with a note: the load average). */
export type QueueBenchRow = BenchRow & { note: string };

const STAFF = { id: 'user-bench', passphrase: 'bench practice passphrase 58213 qx' };
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const perSecond = (n: number, ms: number) => (n / (ms / 1000)).toFixed(1);

async function prepare(engine: SqlEngine, n: number) {
  await migratePractice(engine);
  const io = practiceQueueIo(await setUpPracticeKey(engine, STAFF, new Date().toISOString()));
  await fillQueue(engine, io, n, { bodyBytes: 1200, concurrency: 4, tag: 'b' });
  return io;
}

async function allSent(engine: SqlEngine, n: number): Promise<void> {
  const sent = (await listQueuedReleases(engine)).filter((r) => r.status === 'sent').length;
  if (sent !== n) throw new Error(`queue bench: ${sent} of ${n} releases sent`);
}

/** The embedded engine, one workstation (in this process). @returns drain time in ms */
async function embedded(dir: string, smtp: RunningSmtpServer, n: number): Promise<number> {
  const engine = openSqliteEngine({ file: join(dir, 'practice-queue-bench.db'), key: randomBytes(32) });
  try {
    const io = await prepare(engine, n);
    const worker = new QueueWorker({
      engine,
      io,
      workstation: { id: 'ws-1' },
      smtp: { host: '127.0.0.1', port: smtp.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
      smtpCa: [smtp.caPem],
      leaseMs: 60_000,
    });
    const t0 = performance.now();
    await worker.drain();
    const ms = performance.now() - t0;
    await allSent(engine, n);
    return ms;
  } finally {
    await engine.close();
  }
}

/**
 * The rows: PostgreSQL with one and with two workstation processes, each against the embedded engine's figure.
 * @param dir a temp folder for the embedded engine's file
 */
export async function benchPracticeQueue(dir: string): Promise<QueueBenchRow[]> {
  const n = Number(process.env.BENCH_QUEUE_RELEASES ?? 200);
  const input = `${n} releases, 1 message each (~1.6 KB)`;
  if (!postgresBinDir()) {
    return [{ task: 'Shared queue drain', input, ours: 'PostgreSQL not installed', oursMs: null, reference: '—', refMs: null, note: 'install Debian package "postgresql"' }];
  }
  const smtp = await startSmtpServer({ discard: true });
  const pg = await startPostgres();
  try {
    const sqliteMs = await embedded(dir, smtp, n);
    const rows: QueueBenchRow[] = [];
    for (const workstations of [1, 2]) {
      pg.reset();
      const engine = openPgEngine(pgConfig(pg, 4));
      try {
        await prepare(engine, n);
        const run = await runWorkstations({ pg, smtp, staff: STAFF, workstations, leaseMs: 60_000, timeoutMs: 600_000 });
        await allSent(engine, n);
        rows.push({
          task: `Shared queue drain, ${workstations} workstation${workstations > 1 ? 's' : ''}`,
          input,
          ours: `PostgreSQL 127.0.0.1 (TLS), ${workstations} practice-workstation process${workstations > 1 ? 'es' : ''}`,
          oursMs: run.drainMs,
          reference: 'embedded SQLCipher engine, 1 workstation',
          refMs: sqliteMs,
          note: `${perSecond(n, run.drainMs)} vs ${perSecond(n, sqliteMs)} releases/s (PostgreSQL/embedded ${(sqliteMs / run.drainMs).toFixed(2)}x); per workstation ${run.drained.map((d) => `${d.workstation} ${d.claimed}`).join(', ')}; load avg ${load()}`,
        });
      } finally {
        await engine.close();
      }
    }
    return rows;
  } finally {
    await smtp.close();
    await pg.stop();
  }
}
