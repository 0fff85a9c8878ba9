/**
 * Practice store benchmark (issue #17: "the time to list 10,000 requests, against the same work on the embedded
 * vault"). The same repository code (practice/requests-repo.ts) on both engines:
 * - ours: the PostgreSQL practice server (a throwaway local cluster from test/support/postgres.ts, TLS verified,
 *   one pool of 4 connections), as a workstation uses it;
 * - reference: the embedded engine (SQLCipher file, WAL), the single-workstation default.
 * Rows: create BENCH_PRACTICE_REQUESTS (default 10,000) requests (PHI sealed with AES-256-GCM and two blind indexes
 * per request): the first 10 % one at a time, each in its own transaction (the product path for a request typed at
 * the front desk), the rest in bulk (createPracticeRequests, 500 per call: an import or an offline workstation
 * synchronising); then list the first page (50 rows, opened) and walk every page (500 rows per page, every row
 * opened). Load average in the note: the machine is shared, wall time also measures the other processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlEngine } from '../src/main/services/practice/engine';
import { migratePractice } from '../src/main/services/practice/migrate';
import { openPgEngine } from '../src/main/services/practice/pg-engine';
import { createPracticeRequest, createPracticeRequests, listPracticeRequestsPage, openRequest, type RequestCursor } from '../src/main/services/practice/requests-repo';
import { newPracticeDataKey, practiceKeys, type PracticeKeys } from '../src/main/services/practice/sealing';
import { openSqliteEngine } from '../src/main/services/practice/sqlite-engine';
import { pgConfig } from '../test/support/practice-engines';
import { postgresBinDir, startPostgres } from '../test/support/postgres';
import type { BenchRow } from './row';

/** A row of the practice store benchmark. */
export type PracticeBenchRow = BenchRow;

interface Figures {
  singleMs: number;
  single: number;
  bulkMs: number;
  firstPageMs: number;
  walkMs: number;
  walked: number;
}

function input(i: number, at: string) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return {
    receivedOn: `2026-02-${day}`,
    dueOn: `2026-03-${day}`,
    at,
    phi: { patientName: `Zyxwv Testpatient ${i}`, dateOfBirth: '1961-04-23', mrn: `MRN-${100000 + i}-QX`, requesterName: null, requesterEmail: `patient${i}@example.test`, description: 'All visit notes from 2025' },
  };
}

async function work(db: SqlEngine, keys: PracticeKeys, n: number): Promise<Figures> {
  await migratePractice(db);
  await db.run('INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, $3)', [keys.keyId, new Date().toISOString(), 'usr_bench']);
  const at = new Date().toISOString();
  const single = Math.floor(n / 10);
  const t0 = performance.now();
  for (let i = 0; i < single; i++) await db.transaction((tx) => createPracticeRequest(tx, keys, input(i, at)));
  const singleMs = performance.now() - t0;
  const tb = performance.now();
  for (let start = single; start < n; start += 500) {
    await createPracticeRequests(db, keys, Array.from({ length: Math.min(500, n - start) }, (_, k) => input(start + k, at)));
  }
  const bulkMs = performance.now() - tb;
  const t1 = performance.now();
  const first = await listPracticeRequestsPage(db, { limit: 50 });
  first.rows.map((r) => openRequest(keys, r));
  const firstPageMs = performance.now() - t1;
  const t2 = performance.now();
  let after: RequestCursor | null = null;
  let walked = 0;
  do {
    const page: Awaited<ReturnType<typeof listPracticeRequestsPage>> = await listPracticeRequestsPage(db, { limit: 500, after });
    for (const r of page.rows) if (openRequest(keys, r).phi.patientName) walked++;
    after = page.next;
  } while (after);
  const walkMs = performance.now() - t2;
  if (walked !== n) throw new Error(`walk saw ${walked} of ${n} requests`);
  return { singleMs, single, bulkMs, firstPageMs, walkMs, walked };
}

/** The three rows (see the module comment); empty when PostgreSQL is not installed. */
export async function benchPracticeStore(): Promise<PracticeBenchRow[]> {
  if (!postgresBinDir()) return [];
  const n = Number(process.env.BENCH_PRACTICE_REQUESTS ?? 10_000);
  const keys = practiceKeys(newPracticeDataKey());
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-practice-'));
  const server = await startPostgres();
  let pg: Figures;
  let lite: Figures;
  const loads: string[] = [];
  try {
    const sqlite = openSqliteEngine({ file: join(dir, 'practice.db'), key: randomBytes(32) });
    try {
      loads.push(loadavg()[0]!.toFixed(1));
      lite = await work(sqlite, keys, n);
    } finally {
      await sqlite.close();
    }
    const db = openPgEngine(pgConfig(server, 4));
    try {
      loads.push(loadavg()[0]!.toFixed(1));
      pg = await work(db, keys, n);
    } finally {
      await db.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const load = `load avg (1 min) ${loads.join(' / ')} at start of sqlite / pg runs, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at end`;
  const count = n.toLocaleString('en-US');
  const ref = 'embedded SQLCipher engine (same repos)';
  return [
    { task: 'Practice store: create one at a time', input: `${pg.single.toLocaleString('en-US')} requests, a transaction each`, ours: 'createPracticeRequest on PostgreSQL 15 (local, TLS)', oursMs: pg.singleMs, reference: ref, refMs: lite.singleMs, note: `${(pg.single / (pg.singleMs / 1000)).toFixed(0)} vs ${(lite.single / (lite.singleMs / 1000)).toFixed(0)} requests/s (seal + 2 blind indexes each); ${load}` },
    { task: 'Practice store: create in bulk', input: `${(n - pg.single).toLocaleString('en-US')} requests, 500 per call`, ours: 'createPracticeRequests (100 rows per INSERT) on PostgreSQL', oursMs: pg.bulkMs, reference: ref, refMs: lite.bulkMs, note: `${((n - pg.single) / (pg.bulkMs / 1000)).toFixed(0)} vs ${((n - lite.single) / (lite.bulkMs / 1000)).toFixed(0)} requests/s; ${count} in the store afterwards` },
    { task: 'Practice store: list first page', input: `50 of ${count}, by due date, opened`, ours: 'listPracticeRequestsPage on PostgreSQL', oursMs: pg.firstPageMs, reference: ref, refMs: lite.firstPageMs, note: 'includes opening 50 sealed rows' },
    { task: 'Practice store: walk all requests', input: `${count} in pages of 500, every row opened`, ours: 'listPracticeRequestsPage (keyset) on PostgreSQL', oursMs: pg.walkMs, reference: ref, refMs: lite.walkMs, note: `${pg.walked} / ${lite.walked} rows; ${(n / (pg.walkMs / 1000)).toFixed(0)} vs ${(n / (lite.walkMs / 1000)).toFixed(0)} rows/s` },
  ];
}
