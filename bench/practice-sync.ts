/**
 * Practice synchronisation benchmark (issue #17: the whole of a request travels between workstations; "keep sync
 * cheap"). Two real back ends (two encrypted vaults, each with its own practice link) joined to one throwaway local
 * PostgreSQL (TLS verified). Workstation A holds BENCH_SYNC_REQUESTS (default 200) requests, each with an identity
 * check, an authorization, a draft release and two record files of BENCH_SYNC_FILE_MIB (default 1) MiB each. Rows:
 *
 * - push: A's first pass (every record sealed, each file read from the vault and written chunk by chunk, sealed);
 *   reference: the same bytes written as plain BYTEA rows through a pool (no vault, no sealing: the floor);
 * - pull: B's first pass (every record and file opened and written into B's vault, files staged and SHA-256 checked);
 *   reference: the same bytes read back as plain BYTEA rows;
 * - empty pass: A again with nothing changed (the change outbox and the server's changes since the last pass);
 *   reference: the full pass over every request that synchronisation made before the change outbox.
 */
import { createHash, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { insertDocument } from '../src/main/services/documents/repo';
import { openPgEngine } from '../src/main/services/practice/pg-engine';
import { syncRequests } from '../src/main/services/practice/sync-requests';
import { goodAuthorization, intake, PASSPHRASE, startBackend, TZ, type Backend } from '../test/support/backend';
import { pgConfig } from '../test/support/practice-engines';
import { postgresBinDir, startPostgres } from '../test/support/postgres';
import type { BenchRow } from './row';

async function time<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

/** Requests with their records and files on `a` (files written straight into the vault: this measures sync, not import). */
async function fill(a: Backend, n: number, fileBytes: number): Promise<void> {
  if (a.clock.now().getTime() < Date.now()) a.clock.set(new Date().toISOString());
  for (let i = 0; i < n; i++) {
    const req = await a.call('requests.create', intake({ patient: { name: `Zyxwv Benchpatient ${i}`, dateOfBirth: '1961-07-14', mrn: `MRN-${70000 + i}-BS` } }));
    await a.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await a.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
    await a.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await a.call('releases.create', { requestId: req.id });
    const v = a.services.session.require();
    for (let k = 0; k < 2; k++) {
      const bytes = randomBytes(fileBytes);
      v.tx(() => insertDocument(v.db, rel.id, `record-${k}.pdf`, { bytes, pageCount: 1, sha256: createHash('sha256').update(bytes).digest('hex') }, a.clock.now(), { category: 'visit_notes', documentDate: '2025-06-01', classified: true }));
    }
  }
}

/** The three rows (see the module comment); empty when PostgreSQL is not installed. */
export async function benchPracticeSync(): Promise<BenchRow[]> {
  if (!postgresBinDir()) return [];
  const n = Number(process.env.BENCH_SYNC_REQUESTS ?? 200);
  const mib = Number(process.env.BENCH_SYNC_FILE_MIB ?? 1);
  const fileBytes = Math.round(mib * 1024 * 1024);
  const pg = await startPostgres();
  const [a, b] = await Promise.all([startBackend(), startBackend()]);
  const loads = [loadavg()[0]!.toFixed(1)];
  try {
    for (const w of [a, b]) {
      await w.call('practiceServer.configure', { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, caPem: pg.caPem });
      await w.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: w === a ? 'Bench A' : 'Bench B' });
    }
    await fill(a, n, fileBytes);
    const [pushMs, pushed] = await time(() => a.call('practiceServer.sync', {}));
    const [pullMs, pulled] = await time(() => b.call('practiceServer.sync', {}));
    await time(() => a.call('practiceServer.sync', {})); // sees its own pushes come back once (versions only)
    const [emptyMs, empty] = await time(() => a.call('practiceServer.sync', {}));
    if (empty.pushed + empty.pulled !== 0) throw new Error('the empty pass moved records');
    const ws = a.services.practiceLink.workstation().id;
    const [fullMs] = await time(() =>
      a.services.practiceLink.use((engine, keys) => syncRequests({ session: a.services.session, engine, keys, workstationId: ws, now: () => a.clock.now(), timeZone: TZ })),
    );

    // The floor: the same bytes as plain BYTEA rows, written and read through a pool of 4.
    const raw = openPgEngine(pgConfig(pg, 4));
    let rawWriteMs = 0;
    let rawReadMs = 0;
    try {
      await raw.run('CREATE TABLE bench_plain (id INTEGER PRIMARY KEY, data BYTEA NOT NULL)');
      const chunk = randomBytes(fileBytes);
      [rawWriteMs] = await time(async () => {
        for (let i = 0; i < 2 * n; i++) await raw.run('INSERT INTO bench_plain (id, data) VALUES ($1, $2)', [i, chunk]);
      });
      [rawReadMs] = await time(async () => {
        for (let i = 0; i < 2 * n; i++) await raw.one('SELECT data FROM bench_plain WHERE id = $1', [i]);
      });
    } finally {
      await raw.close();
    }
    loads.push(loadavg()[0]!.toFixed(1));
    const what = `${n} requests × (request, identity check, authorization, draft release, 2 files of ${mib} MiB)`;
    const load = `load avg (1 min) ${loads.join(' → ')}`;
    return [
      { task: 'Practice sync: push', input: what, ours: 'first pass on A (sealed records, files in sealed 1 MiB chunks)', oursMs: pushMs, reference: `${2 * n} plain BYTEA inserts of the same size`, refMs: rawWriteMs, note: `${pushed.pushed} records pushed; ${((2 * n * mib) / (pushMs / 1000)).toFixed(1)} MiB/s; ${load}` },
      { task: 'Practice sync: pull', input: what, ours: 'first pass on B (opened, staged, SHA-256 checked, into the vault)', oursMs: pullMs, reference: `${2 * n} plain BYTEA reads`, refMs: rawReadMs, note: `${pulled.pulled} records pulled; ${((2 * n * mib) / (pullMs / 1000)).toFixed(1)} MiB/s` },
      { task: 'Practice sync: empty pass', input: `${n} requests, ${6 * n} records in the vault, nothing changed`, ours: 'change outbox + server changes since the last pass', oursMs: emptyMs, reference: 'full pass over every request (before the change outbox)', refMs: fullMs, note: `${(fullMs / Math.max(emptyMs, 0.001)).toFixed(0)}× less time` },
    ];
  } finally {
    await a.services.practiceLink.close();
    await b.services.practiceLink.close();
    await a.close();
    await b.close();
    await pg.stop();
  }
}

if (process.argv[1]?.endsWith('practice-sync.ts')) {
  void benchPracticeSync().then((rows) => {
    for (const r of rows) console.log(`${r.task}\t${r.input}\tours ${r.oursMs?.toFixed(0)} ms\tref ${r.refMs?.toFixed(0)} ms\t${r.note ?? ''}`);
  });
}
