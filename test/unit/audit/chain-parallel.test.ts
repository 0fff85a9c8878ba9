/**
 * Verifying the audit chain in worker threads (chain.ts verifyChainParallel) gives exactly the result of the
 * single pass in this thread (verifyChain): the same first broken event, gap message, count of events checked,
 * and problems in the same order, wherever the damage falls relative to the ranges the workers split the log
 * into. Real SQLCipher vault file, real worker threads (each with its own read-only connection).
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../../src/main/services/audit/audit';
import { verifyChain, verifyChainParallel, type VaultFileAccess } from '../../../src/main/services/audit/chain';
import { writeCheckpoint } from '../../../src/main/services/audit/checkpoints';
import { migrate } from '../../../src/main/services/vault/migrations';
import { cipherPragmas } from '../../../src/main/services/vault/vault';

const dirs: string[] = [];
const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An encrypted vault file with 60 events (every third with a staff member id, details with quotes and non-Latin text) and a checkpoint. */
function vaultWith60Events() {
  const dir = mkdtempSync(join(tmpdir(), 'rd-chainpar-'));
  dirs.push(dir);
  const file = join(dir, 'vault.db');
  const keyPragmas = cipherPragmas(randomBytes(32));
  const db = new Database(file);
  open.push(db);
  for (const p of keyPragmas) db.pragma(p);
  db.pragma('journal_mode = WAL');
  migrate(db);
  const chainKey = randomBytes(32);
  const checkpointKey = randomBytes(32);
  db.transaction(() => {
    for (let i = 1; i <= 60; i++) {
      appendAudit(db, chainKey, {
        at: new Date(Date.UTC(2026, 2, 1, 9, 0, i)),
        actor: i % 2 ? 'Dana Frontdesk' : 'Nguyễn Thị Hương',
        actorId: i % 3 ? null : `usr_${i}`,
        action: i % 4 ? 'release.view' : 'request.view',
        outcome: 'success',
        subjectType: 'release',
        subjectId: `rel_${i}`,
        detail: { note: `say "hi" \\ 王 ${i}`, n: i },
      });
    }
    writeCheckpoint(db, dir, checkpointKey, new Date('2026-03-01T10:00:00Z'), 'lock');
  })();
  db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
  const access: VaultFileAccess = { file, keyPragmas };
  return { dir, db, access, chainKey, checkpointKey };
}

/** Both ways, four workers over 60 events: ranges (0,15], (15,30], (30,45], (45,60]. */
async function both(v: ReturnType<typeof vaultWith60Events>, access: VaultFileAccess = v.access) {
  const here = verifyChain(v.db, v.chainKey, v.checkpointKey, v.dir);
  const fallbacks: string[] = [];
  const workers = await verifyChainParallel(v.db, access, v.chainKey, v.checkpointKey, v.dir, [], { workers: 4, minEventsPerWorker: 1, onFallback: (c) => fallbacks.push(c) });
  return { here, workers, fallbacks };
}

describe('audit chain verified in worker threads (same result as one pass)', () => {
  it('an untouched log: intact, all 60 events checked, no fallback', async () => {
    const v = vaultWith60Events();
    const { here, workers, fallbacks } = await both(v);
    expect(fallbacks).toEqual([]);
    expect(workers).toEqual(here);
    expect(workers).toMatchObject({ intact: true, checked: 60, lastSeq: 60, firstBrokenSeq: null, checkpointsChecked: 1 });
  });

  it.each([
    ['the first event of a later range', 16],
    ['the last event of a range (the hash the next range starts from)', 15],
    ['the last event of the log', 60],
    ['the first event of the log', 1],
  ])('an edited event is named when it is %s', async (_what, seq) => {
    const v = vaultWith60Events();
    v.db.prepare("UPDATE audit_events SET actor = 'Mallory' WHERE seq = ?").run(seq);
    const { here, workers, fallbacks } = await both(v);
    expect(fallbacks).toEqual([]);
    expect(workers).toEqual(here);
    expect(workers.firstBrokenSeq).toBe(seq);
    expect(workers.checked).toBe(seq - 1);
    expect(workers.problems[0]).toMatchObject({ code: 'EVENT_ALTERED', seq });
  });

  it('of two edits in different ranges, the earlier one is named', async () => {
    const v = vaultWith60Events();
    v.db.prepare("UPDATE audit_events SET detail_json = '{}' WHERE seq IN (50, 20)").run();
    const { here, workers } = await both(v);
    expect(workers).toEqual(here);
    expect(workers.firstBrokenSeq).toBe(20);
  });

  it('a deleted stretch that swallows a whole range is named from the event before it', async () => {
    const v = vaultWith60Events();
    v.db.prepare('DELETE FROM audit_events WHERE seq BETWEEN 14 AND 32').run();
    const { here, workers } = await both(v);
    expect(workers).toEqual(here);
    expect(workers.firstBrokenSeq).toBe(33);
    expect(workers.checked).toBe(13);
    expect(workers.problems[0]!.message).toBe('Events 14–32 are missing from the log (the next one present is 33).');
  });

  it('a swapped pair across a range boundary is named', async () => {
    const v = vaultWith60Events();
    const a = v.db.prepare('SELECT * FROM audit_events WHERE seq = 30').get() as Record<string, unknown>;
    const b = v.db.prepare('SELECT * FROM audit_events WHERE seq = 31').get() as Record<string, unknown>;
    const set = v.db.prepare('UPDATE audit_events SET at=@at, actor=@actor, actor_id=@actor_id, action=@action, outcome=@outcome, subject_type=@subject_type, subject_id=@subject_id, detail_json=@detail_json, prev_hash=@prev_hash, hash=@hash WHERE seq=@target');
    set.run({ ...b, target: 30 });
    set.run({ ...a, target: 31 });
    const { here, workers } = await both(v);
    expect(workers).toEqual(here);
    expect(workers.firstBrokenSeq).toBe(30);
  });

  it('workers that cannot open the vault (wrong key): the calling thread verifies instead, and says why', async () => {
    const v = vaultWith60Events();
    const { here, workers, fallbacks } = await both(v, { file: v.access.file, keyPragmas: cipherPragmas(randomBytes(32)) });
    expect(fallbacks).toEqual(['SQLITE_NOTADB']);
    expect(workers).toEqual(here);
    expect(workers.intact).toBe(true);
  });
});
