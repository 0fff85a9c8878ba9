/**
 * A real PostgreSQL server for practice-server tests: a throwaway cluster (`initdb` into a temp dir) run in the
 * foreground on 127.0.0.1 and a free port, TLS required for every TCP connection (`hostssl … scram-sha-256`,
 * `hostnossl … reject`) with a certificate from the same throwaway test CA as the SMTP test server, one login role
 * and one database for the practice. Started and stopped by the test. Needs PostgreSQL's server binaries (Debian:
 * `postgresql`, found under /usr/lib/postgresql/<major>/bin); when run as root the cluster runs as the `postgres`
 * user (the server refuses to run as root). Data files are in `dataDir` (the at-rest check reads them).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';
import { testPki } from './smtp';

export const PG_USER = 'releasedesk';
export const PG_PASSWORD = 'pg-test-secret-5581';
export const PG_DATABASE = 'practice';

export interface RunningPostgres {
  host: '127.0.0.1';
  port: number;
  database: string;
  user: string;
  password: string;
  /** The CA certificate (PEM) that signed the server's certificate: what a workstation is configured to trust. */
  caPem: string;
  /** The cluster's data directory (tables, WAL). */
  dataDir: string;
  /** Run SQL as the cluster's superuser over the Unix socket (for test set-up and inspection); returns psql's stdout. */
  psql(sql: string, database?: string): string;
  /** `pg_dump` of the practice database (plain SQL text). */
  dump(): string;
  /** Drop and re-create the practice database (a clean slate between tests). */
  reset(): void;
  /** The server's own log (for failure diagnostics only). */
  log(): string;
  stop(): Promise<void>;
}

/** The directory of PostgreSQL's server binaries (initdb, postgres, pg_dump), or null when not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0]!, 'bin') : null;
}

/**
 * True when PostgreSQL's server binaries are installed. Missing: throws under CI (a missing tool never turns a test
 * green), else warns and returns false so the caller can skip.
 */
export function requirePostgres(): boolean {
  if (postgresBinDir()) return true;
  const msg = 'PostgreSQL server binaries (Debian package "postgresql") are not installed';
  if (process.env.CI) throw new Error(`${msg} (CI: failing instead of skipping)`);
  console.warn(`\n*** SKIPPING: ${msg}. Install them to run this test. ***\n`);
  return false;
}

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * false: a server with TLS turned off (`ssl=off`), as a misconfigured practice server would be; it answers 'N' to a
   * client's SSLRequest. Default true (TLS on and required).
   */
  tls?: boolean;
}

/**
 * Start a throwaway PostgreSQL cluster (see the module comment): about 2–4 s.
 * @throws Error when the binaries are missing or the server does not listen within 30 s
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries are not installed');
  const asRoot = userInfo().uid === 0;
  const pgUid = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : userInfo().uid;
  const pgGid = asRoot ? Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) : userInfo().gid;
  const as = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const run = (cmd: string, args: string[], input?: string): string => {
    const [c, a] = as(cmd, args);
    return execFileSync(c, a, { input, stdio: ['pipe', 'pipe', 'pipe'], cwd: '/', maxBuffer: 1 << 30 }).toString(); // a dump holds sealed files
  };

  const root = mkdtempSync(join(tmpdir(), 'rd-postgres-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const sock = join(root, 'sock');
  mkdirSync(sock);
  if (asRoot) {
    chownSync(root, pgUid, pgGid);
    chownSync(sock, pgUid, pgGid);
  }
  run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'pgadmin', '--auth-local=trust', '--auth-host=reject', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions']);

  const pki = testPki();
  writeFileSync(join(dataDir, 'server.crt'), pki.serverCert);
  writeFileSync(join(dataDir, 'server.key'), pki.serverKey, { mode: 0o600 });
  if (asRoot) for (const f of ['server.crt', 'server.key']) chownSync(join(dataDir, f), pgUid, pgGid);
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    ['local all all trust', `hostnossl all all 127.0.0.1/32 reject`, `hostssl all all 127.0.0.1/32 scram-sha-256`, ''].join('\n'),
  );
  const port = await freePort();
  const logFile = join(root, 'postgres.log');
  writeFileSync(logFile, '');
  if (asRoot) chownSync(logFile, pgUid, pgGid);
  const [c, a] = as(join(bin, 'postgres'), [
    '-D', dataDir,
    '-p', String(port),
    '-h', '127.0.0.1',
    '-k', sock,
    '-c', `ssl=${opts.tls === false ? 'off' : 'on'}`,
    '-c', 'ssl_min_protocol_version=TLSv1.2',
    '-c', 'fsync=off',
    '-c', 'full_page_writes=off',
    '-c', 'max_connections=60',
    '-c', `logging_collector=off`,
  ]);
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  let logText = '';
  child.stdout?.on('data', (d: Buffer) => (logText += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (logText += d.toString()));
  await waitForPort('postgres', port, child, 30_000, () => logText);

  const psql = (sql: string, database = 'postgres'): string =>
    run(join(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', sock, '-p', String(port), '-U', 'pgadmin', '-d', database, '-At'], sql);
  // The port accepts connections a moment before the server does ("the database system is starting up"): wait.
  for (const until = Date.now() + 30_000; ; ) {
    try {
      psql('SELECT 1;');
      break;
    } catch (e) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`postgres did not accept connections: ${String((e as Error).message).slice(0, 500)} ${logText.slice(-2000)}`, { cause: e });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  psql(`CREATE ROLE ${PG_USER} LOGIN PASSWORD '${PG_PASSWORD}';`);
  const create = () => psql(`CREATE DATABASE ${PG_DATABASE} OWNER ${PG_USER};`);
  create();

  return {
    host: '127.0.0.1',
    port,
    database: PG_DATABASE,
    user: PG_USER,
    password: PG_PASSWORD,
    caPem: pki.caPem,
    dataDir,
    psql,
    dump: () => run(join(bin, 'pg_dump'), ['-h', sock, '-p', String(port), '-U', 'pgadmin', '-d', PG_DATABASE]),
    reset: () => {
      psql(`DROP DATABASE IF EXISTS ${PG_DATABASE} WITH (FORCE);`);
      create();
    },
    log: () => logText,
    stop: async () => {
      // Signal the postmaster itself (runuser does not pass signals on): SIGINT is PostgreSQL's fast shutdown.
      const pid = postmasterPid(dataDir);
      if (pid) {
        signal(pid, 'SIGINT');
        const until = Date.now() + 10_000;
        while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        if (alive(pid)) signal(pid, 'SIGKILL');
      }
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
