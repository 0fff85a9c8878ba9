/**
 * Workstation processes against one practice database: each runs scripts/practice-workstation.ts (node with the tsx
 * loader, one process, so SIGKILL stops the sender itself), optionally killed with SIGKILL at a random moment after
 * it connected and started again, until it exits on its own with "DRAINED". Used by the shared-queue kill test and
 * the bench row.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningPostgres } from '../support/postgres';
import { SMTP_PASSWORD, SMTP_USER, type RunningSmtpServer } from '../support/smtp';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'practice-workstation.ts');

export interface WorkstationRunOptions {
  pg: RunningPostgres;
  smtp: RunningSmtpServer;
  /** The staff member the workstations sign in as (holds a wrap of the practice data key). */
  staff: { id: string; passphrase: string };
  /** How many workstation processes drain the queue at once. */
  workstations: number;
  /** Lease of a claim in ms. */
  leaseMs: number;
  /** Kill each workstation up to `times` times, each after a random wait in [minMs, maxMs] from its "READY". */
  kill?: { times: number; minMs: number; maxMs: number; random?: () => number };
  /** Give up (and kill everything) after this long, in ms. */
  timeoutMs?: number;
}

/** What one drain by several workstations did. */
export interface WorkstationRunReport {
  /** SIGKILLs delivered. */
  kills: number;
  /** Processes started (first starts and restarts). */
  starts: number;
  /** Each workstation's final "DRAINED" line. */
  drained: Array<{ workstation: string; claimed: number; byStatus: Record<string, number>; recovered: number; waiting: number; startedAt: number; endedAt: number }>;
  /** From the earliest start of draining to the last end, in ms (the processes' own clocks: start-up not counted). */
  drainMs: number;
}

interface Started {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ready: Promise<boolean>;
  kill(): void;
  lines: string[];
}

function startWorkstation(env: NodeJS.ProcessEnv, id: string): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--workstation', id], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  let onReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((ok) => (onReady = ok));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      if (line.startsWith('READY')) onReady(true);
    }
  });
  child.stderr.on('data', () => undefined);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => {
      onReady(false);
      ok({ code, signal });
    }),
  );
  return { exit, ready, kill: () => child.kill('SIGKILL'), lines };
}

/** The environment a workstation process reads (see scripts/practice-workstation.ts); the CA file is written to `dir`. */
function workstationEnv(o: Pick<WorkstationRunOptions, 'pg' | 'smtp' | 'staff' | 'leaseMs'>, dir: string): NodeJS.ProcessEnv {
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, o.pg.caPem);
  return {
    ...process.env,
    RD_PG_HOST: o.pg.host,
    RD_PG_PORT: String(o.pg.port),
    RD_PG_DATABASE: o.pg.database,
    RD_PG_USER: o.pg.user,
    RD_PG_PASSWORD: o.pg.password,
    RD_PG_CA_FILE: caFile,
    RD_SMTP_HOST: '127.0.0.1',
    RD_SMTP_PORT: String(o.smtp.port),
    RD_SMTP_SECURITY: 'starttls',
    RD_SMTP_USER: SMTP_USER,
    RD_SMTP_PASSWORD: SMTP_PASSWORD,
    RD_SMTP_CA_FILE: caFile, // the SMTP and PostgreSQL test servers share the throwaway test CA
    RD_STAFF_ID: o.staff.id,
    RD_STAFF_PASSPHRASE: o.staff.passphrase,
    RD_LEASE_MS: String(o.leaseMs),
  };
}

/**
 * Run one workstation process to its end (no kill) with `override` applied to its environment (undefined removes a
 * variable). @returns its exit code and stdout lines
 */
export async function runWorkstationOnce(
  o: Pick<WorkstationRunOptions, 'pg' | 'smtp' | 'staff' | 'leaseMs'>,
  override: Record<string, string | undefined> = {},
): Promise<{ code: number | null; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-ws-'));
  try {
    const env = workstationEnv(o, dir);
    for (const [k, v] of Object.entries(override)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const w = startWorkstation(env, 'ws-check');
    const { code } = await w.exit;
    return { code, lines: w.lines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Run `workstations` workstation processes against the database until each exits on its own with "DRAINED"
 * (restarting any that was killed).
 * @throws Error when a workstation fails without being killed, or the run exceeds `timeoutMs`
 */
export async function runWorkstations(o: WorkstationRunOptions): Promise<WorkstationRunReport> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-ws-'));
  const env = workstationEnv(o, dir);
  const report: WorkstationRunReport = { kills: 0, starts: 0, drained: [], drainMs: 0 };
  const live = new Set<Started>();
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  const random = o.kill?.random ?? Math.random;
  let failed = false;
  const one = async (id: string): Promise<void> => {
    let killsLeft = o.kill?.times ?? 0;
    for (;;) {
      if (failed) return;
      if (Date.now() > deadline) throw new Error(`workstation ${id} did not drain in time`);
      const w = startWorkstation(env, id);
      live.add(w);
      report.starts++;
      let killed = false;
      let timer: NodeJS.Timeout | null = null;
      if (killsLeft > 0 && o.kill) {
        const k = o.kill;
        void w.ready.then((ok) => {
          if (!ok) return;
          timer = setTimeout(() => {
            killed = true;
            w.kill();
          }, k.minMs + random() * (k.maxMs - k.minMs));
        });
      }
      const { code } = await w.exit;
      if (timer) clearTimeout(timer);
      live.delete(w);
      const done = w.lines.find((l) => l.startsWith('DRAINED '));
      if (done && code === 0) {
        report.drained.push(JSON.parse(done.slice('DRAINED '.length)) as WorkstationRunReport['drained'][number]);
        return;
      }
      if (!killed) throw new Error(`workstation ${id} stopped without being killed: ${w.lines.filter((l) => l.startsWith('ERROR')).join(' ') || `exit ${code}`}`);
      report.kills++;
      killsLeft--;
    }
  };
  try {
    await Promise.all(
      Array.from({ length: o.workstations }, (_, k) =>
        one(`ws-${k + 1}`).catch((e: unknown) => {
          failed = true;
          for (const w of live) w.kill();
          throw e;
        }),
      ),
    );
  } finally {
    for (const w of live) w.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  report.drainMs = Math.max(...report.drained.map((d) => d.endedAt)) - Math.min(...report.drained.map((d) => d.startedAt));
  return report;
}
