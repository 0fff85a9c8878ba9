/**
 * Audit benchmarks (issue #10): verify a chain of 1,000,000 events in an encrypted (SQLCipher) vault against
 * its checkpoints, and lay out a 10,000-event audit report PDF. Targets: ≤ 3 s each.
 * Knobs: BENCH_AUDIT_EVENTS (default 1,000,000), BENCH_AUDIT_REPS (verifications of the same chain, median shown; default 1),
 * BENCH_AUDIT_WORKERS (worker threads at most; default the machine's available parallelism), BENCH_REPORT_EVENTS (default 10,000).
 * The verify row also prints the process CPU time of the median run and the load average, because on a shared machine
 * wall time mostly measures the other processes.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { createHmac, randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { AUDIT_REPORT_COLUMNS } from '../src/main/services/audit/audit-service';
import { verifyChainParallel } from '../src/main/services/audit/chain';
import { writeCheckpoint } from '../src/main/services/audit/checkpoints';
import { migrate } from '../src/main/services/vault/migrations';
import { cipherPragmas } from '../src/main/services/vault/vault';
import { renderReportPdf } from '../src/main/services/reports/report-pdf';

export interface AuditBenchRow {
  task: string;
  input: string;
  ours: string;
  oursMs: number;
  note: string;
}

/** Build the chain in one transaction (the same HMAC as appendAudit), then time verifyChainParallel (what the app runs). */
async function benchVerify(dir: string, n: number, reps: number, workers: number): Promise<AuditBenchRow> {
  const file = join(dir, 'audit-bench.db');
  const db = new Database(file);
  const keyPragmas = cipherPragmas(randomBytes(32));
  for (const p of keyPragmas) db.pragma(p);
  db.pragma('journal_mode = WAL');
  migrate(db);
  const chainKey = randomBytes(32);
  const ckKey = randomBytes(32);
  const ins = db.prepare('INSERT INTO audit_events (at, actor, action, outcome, subject_type, subject_id, detail_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  let prev = '0'.repeat(64);
  const t0 = Date.now();
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const at = new Date(1767225600000 + i * 1000).toISOString();
      const row = [at, 'Dana Frontdesk', i % 3 ? 'release.view' : 'request.view', 'success', 'release', `rel_${i % 5000}`, '{}'] as const;
      const hash = createHmac('sha256', chainKey).update(JSON.stringify([prev, ...row])).digest('hex');
      ins.run(...row, prev, hash);
      prev = hash;
    }
    writeCheckpoint(db, dir, ckKey, new Date(), 'lock');
  })();
  const buildMs = Date.now() - t0;
  const runs: Array<{ ms: number; cpuMs: number; load: number }> = [];
  for (let i = 0; i < reps; i++) {
    const load = loadavg()[0]!;
    const c0 = process.cpuUsage();
    const s = performance.now();
    const r = await verifyChainParallel(db, { file, keyPragmas }, chainKey, ckKey, dir, [], { workers, onFallback: (code) => console.error(`audit bench: workers unavailable (${code})`) });
    const ms = performance.now() - s;
    const c = process.cpuUsage(c0);
    if (!r.intact || r.checked !== n) throw new Error('bench chain did not verify');
    runs.push({ ms, cpuMs: (c.user + c.system) / 1000, load });
  }
  db.close();
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const med = sorted[(sorted.length - 1) >> 1]!;
  const all = runs.length > 1 ? `; runs ${runs.map((x) => (x.ms / 1000).toFixed(2)).join(', ')} s` : '';
  return {
    task: `Verify audit chain (${n.toLocaleString('en-US')} events)`,
    input: 'SQLCipher vault + checkpoint',
    ours: `verifyChainParallel (${workers} worker threads, HMAC-SHA256 per event)`,
    oursMs: med.ms,
    note: `target ≤ 3 s; CPU ${(med.cpuMs / 1000).toFixed(2)} s; load avg ${med.load.toFixed(1)} on ${availableParallelism()} cores${all}; built in ${(buildMs / 1000).toFixed(1)} s`,
  };
}

async function benchReport(n: number): Promise<AuditBenchRow> {
  const names = ['Nguyễn Thị Hương', 'Алексей Смирнов', '王小明', 'Zyxwv Testpatient'];
  const rows = Array.from({ length: n }, (_, i) => [
    String(i + 1),
    `2026-01-${String((i % 28) + 1).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`,
    'Dana Frontdesk',
    `Dana Frontdesk sent release R-2026-${String(i).padStart(5, '0')} to Acme Life by password-protected PDF`,
    names[i % names.length]!,
    'Done',
  ]);
  const s = performance.now();
  const { pdf, pages } = await renderReportPdf({
    practiceName: 'Lakeside Test Clinic',
    title: 'Audit report',
    period: 'the whole log',
    generatedAt: '2026-12-06 10:00 CST',
    generatedBy: 'Pat Privacy',
    facts: [{ label: 'Audit log check', value: 'Intact' }],
    columns: AUDIT_REPORT_COLUMNS,
    rows,
    emptyText: '',
  });
  const ms = performance.now() - s;
  return { task: `Audit report PDF (${n.toLocaleString('en-US')} events)`, input: 'Latin, Vietnamese, Cyrillic, Chinese names', ours: 'renderReportPdf (pdf-lib + fontkit)', oursMs: ms, note: `target ≤ 3 s; ${pages} pages, ${(pdf.length / 2 ** 20).toFixed(1)} MiB` };
}

/** Both audit rows. */
export async function benchAudit(dir: string): Promise<AuditBenchRow[]> {
  const workers = Number(process.env.BENCH_AUDIT_WORKERS ?? Math.min(availableParallelism(), 8));
  return [await benchVerify(dir, Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000), Math.max(1, Number(process.env.BENCH_AUDIT_REPS ?? 1)), workers), await benchReport(Number(process.env.BENCH_REPORT_EVENTS ?? 10_000))];
}
