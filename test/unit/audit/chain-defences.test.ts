/**
 * Tampering through a raw SQLCipher connection with the vault key (what an attacker who knows the
 * practice passphrase has): verification names the first altered event, the missing tail, or the
 * checkpoint the chain no longer matches — every time; an untouched log verifies. Every verification here runs
 * twice, in this thread (verifyChain) and split over three worker threads (verifyChainParallel), and the two
 * results must be identical.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { createHmac, hkdfSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain, verifyChainParallel, type Receipt, type VaultFileAccess } from '../../../src/main/services/audit/chain';
import { ANCHOR_FILE, CHECKPOINT_KEY_PURPOSE, parseReceipt, receiptText, writeCheckpoint } from '../../../src/main/services/audit/checkpoints';
import { Session } from '../../../src/main/services/session';
import { fixedClock } from '../../../src/main/services/support/clock';
import { memoryLogger } from '../../../src/main/services/support/logger';
import { Keyring, unwrapVaultKey } from '../../../src/main/services/vault/keyring';
import { cipherPragmas } from '../../../src/main/services/vault/vault';

const PASS = 'correct horse battery staple orbit';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A vault with 11 events (10 views and the lock), locked (so a checkpoint exists). */
async function lockedVaultWithEvents() {
  const dir = mkdtempSync(join(tmpdir(), 'rd-chain-'));
  dirs.push(dir);
  const session = new Session(dir, fixedClock('2026-03-01T15:00:00Z'), memoryLogger());
  await session.create(PASS);
  for (let i = 0; i < 10; i++) session.require().tx(() => session.audit({ action: 'request.view', outcome: 'success', subjectType: 'request', subjectId: `req_00000${i}` }));
  session.lock();
  return { dir, session };
}

/** What an attacker holding the passphrase opens: the raw database, keyed, with the derived subkeys. */
async function rawOpen(dir: string) {
  // Staff accounts (issue #11): the passphrase unwraps the vault key from the keyring in vault.kdf.json.
  const ring = Keyring.parse(JSON.parse(readFileSync(join(dir, 'vault.kdf.json'), 'utf8')));
  const master = (await unwrapVaultKey(ring.users[0]!, PASS))!;
  const db = new Database(join(dir, 'vault.db'));
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`key="x'${master.toString('hex')}'"`);
  db.exec('DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;');
  const sub = (p: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `releasedesk:${p}`, 32));
  const access: VaultFileAccess = { file: join(dir, 'vault.db'), keyPragmas: cipherPragmas(master) };
  return { db, access, chainKey: sub('audit-chain-v1'), checkpointKey: sub(CHECKPOINT_KEY_PURPOSE) };
}

/** Recompute every hash from seq 1 with the chain key (the "rewrite with the passphrase" attack). */
function recomputeChain(db: Database.Database, key: Buffer) {
  let prev = '0'.repeat(64);
  const rows = db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Array<Record<string, string | number | null>>;
  const upd = db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?');
  for (const r of rows) {
    const fields = [prev, r.at, r.actor, r.action, r.outcome, r.subject_type, r.subject_id, r.detail_json, ...(r.actor_id ? [r.actor_id] : [])];
    const hash = createHmac('sha256', key).update(JSON.stringify(fields)).digest('hex');
    upd.run(prev, hash, r.seq);
    prev = hash;
  }
}

/** Verify in this thread and in three worker threads (forced, however short the log); both must agree. */
async function bothWays(db: Database.Database, access: VaultFileAccess, chainKey: Buffer, checkpointKey: Buffer, dir: string, receipts: Receipt[] = []) {
  const here = verifyChain(db, chainKey, checkpointKey, dir, receipts);
  const fallbacks: string[] = [];
  const workers = await verifyChainParallel(db, access, chainKey, checkpointKey, dir, receipts, { workers: 3, minEventsPerWorker: 1, onFallback: (c) => fallbacks.push(c) });
  expect(fallbacks).toEqual([]);
  expect(workers).toEqual(here);
  return workers;
}

async function verifyNow(dir: string, session: Session, receipts: Receipt[] = []) {
  await session.unlock(PASS);
  const v = session.require();
  // verify what is on disk now, before this session adds more events
  return bothWays(v.db, v.fileAccess(), session.auditKey(), v.subkey(CHECKPOINT_KEY_PURPOSE), dir, receipts);
}

const codes = (r: { problems: Array<{ code: string }> }) => [...new Set(r.problems.map((p) => p.code))].sort();

describe('audit chain defences (164.312(b), (c)(1))', () => {
  it('an untouched log verifies intact against its checkpoints', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const r = await verifyNow(dir, session);
    expect(r.problems).toEqual([]);
    expect(r.intact).toBe(true);
    expect(r.checkpointsChecked).toBe(1);
    expect(r.latestCheckpoint).toMatchObject({ counter: 1, seq: 11, reason: 'lock' });
    expect(r.lastSeq).toBe(12); // + the unlock event
  });

  it('an edited event is named as the first broken one', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const raw = await rawOpen(dir);
    raw.db.prepare("UPDATE audit_events SET action = 'request.create' WHERE seq = 5").run();
    raw.db.close();
    const r = await verifyNow(dir, session);
    expect(r.intact).toBe(false);
    expect(r.firstBrokenSeq).toBe(5);
    expect(codes(r)).toContain('EVENT_ALTERED');
  });

  it('an inserted event is named', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const raw = await rawOpen(dir);
    const r7 = raw.db.prepare('SELECT * FROM audit_events WHERE seq = 7').get() as Record<string, unknown>;
    // shift nothing: insert a fabricated event with a free seq between existing ones is impossible, so append one at the end claiming 7's link
    raw.db.prepare('INSERT INTO audit_events (at, actor, action, outcome, subject_type, subject_id, detail_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      r7.at, 'Mallory', 'release.view', 'success', 'release', 'rel_fake01', '{}', r7.prev_hash, r7.hash,
    );
    raw.db.close();
    const r = await verifyNow(dir, session);
    expect(r.firstBrokenSeq).toBe(12);
    expect(codes(r)).toContain('EVENT_ALTERED');
  });

  it('a deleted event in the middle is named, even when the chain is recomputed', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const raw = await rawOpen(dir);
    raw.db.prepare('DELETE FROM audit_events WHERE seq = 4').run();
    recomputeChain(raw.db, raw.chainKey);
    raw.db.close();
    const r = await verifyNow(dir, session);
    expect(r.firstBrokenSeq).toBe(5);
    expect(r.problems[0]?.message).toMatch(/Events 4 are missing|Events 4/);
    expect(codes(r)).toEqual(expect.arrayContaining(['EVENTS_MISSING', 'CHECKPOINT_MISMATCH']));
  });

  it('reordered events are named', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const raw = await rawOpen(dir);
    const a = raw.db.prepare('SELECT * FROM audit_events WHERE seq = 3').get() as Record<string, unknown>;
    const b = raw.db.prepare('SELECT * FROM audit_events WHERE seq = 4').get() as Record<string, unknown>;
    const set = raw.db.prepare('UPDATE audit_events SET at=@at, actor=@actor, action=@action, outcome=@outcome, subject_type=@subject_type, subject_id=@subject_id, detail_json=@detail_json, prev_hash=@prev_hash, hash=@hash WHERE seq=@target');
    set.run({ ...b, target: 3 });
    set.run({ ...a, target: 4 });
    raw.db.close();
    const r = await verifyNow(dir, session);
    expect(r.firstBrokenSeq).toBe(3);
  });

  it('deleting the newest events is reported as a missing tail (AUTOINCREMENT mark and checkpoint)', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const raw = await rawOpen(dir);
    raw.db.prepare('DELETE FROM audit_events WHERE seq > 9').run();
    raw.db.close();
    await session.unlock(PASS); // appends event 10 (unlock), reusing no seq: AUTOINCREMENT continues at 12
    const v = session.require();
    const r = await bothWays(v.db, v.fileAccess(), session.auditKey(), v.subkey(CHECKPOINT_KEY_PURPOSE), dir);
    expect(r.intact).toBe(false);
    expect(codes(r)).toEqual(expect.arrayContaining(['EVENTS_MISSING']));
    expect(r.problems.map((p) => p.message).join(' ')).toMatch(/Events 10–11 are missing/);
  });

  it('deleting the newest events and resetting the AUTOINCREMENT mark is still caught by the checkpoint', async () => {
    const { dir } = await lockedVaultWithEvents();
    const raw = await rawOpen(dir);
    raw.db.prepare('DELETE FROM audit_events WHERE seq > 9').run();
    raw.db.prepare("UPDATE sqlite_sequence SET seq = 9 WHERE name = 'audit_events'").run();
    raw.db.close();
    // verify the raw state without adding events
    const raw2 = await rawOpen(dir);
    const r = await bothWays(raw2.db, raw2.access, raw2.chainKey, raw2.checkpointKey, dir);
    raw2.db.close();
    expect(codes(r)).toEqual(['TAIL_MISSING']);
    expect(r.problems[0]!.message).toBe('Events after 9 are missing (the log reached at least event 11).');
  });

  it('rewriting the whole chain with the passphrase-derived keys no longer matches the checkpoint', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const raw = await rawOpen(dir);
    raw.db.prepare("UPDATE audit_events SET actor = 'Someone Else' WHERE seq = 6").run();
    recomputeChain(raw.db, raw.chainKey);
    raw.db.close();
    const r = await verifyNow(dir, session);
    expect(r.firstBrokenSeq).toBeNull(); // the chain alone looks fine …
    expect(codes(r)).toEqual(['CHECKPOINT_MISMATCH']); // … the checkpoint does not
    expect(r.problems[0]!.message).toBe('Event 11 no longer matches checkpoint 1: the log was rewritten after that checkpoint.');
  });

  it('a full rewrite of chain, vault checkpoints and anchor file is caught by a receipt from an earlier report', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const line = receiptText(JSON.parse(readFileSync(join(dir, ANCHOR_FILE), 'utf8').trim()) as { counter: number; seq: number; hash: string; at: string });
    const receipt = parseReceipt(line)!;
    const raw = await rawOpen(dir);
    raw.db.prepare("UPDATE audit_events SET actor = 'Someone Else' WHERE seq = 6").run();
    recomputeChain(raw.db, raw.chainKey);
    raw.db.exec('DROP TRIGGER audit_checkpoints_no_delete; DELETE FROM audit_checkpoints;');
    rmSync(join(dir, ANCHOR_FILE));
    writeCheckpoint(raw.db, dir, raw.checkpointKey, new Date('2026-03-01T15:00:00Z'), 'lock');
    raw.db.close();
    const r = await verifyNow(dir, session);
    expect(codes(r)).toEqual(['RECEIPT_MISMATCH'].filter(() => false)); // without the receipt: consistent (the limit of the design)
    const withReceipt = await bothWays(session.require().db, session.require().fileAccess(), session.auditKey(), session.require().subkey(CHECKPOINT_KEY_PURPOSE), dir, [receipt]);
    expect(codes(withReceipt)).toEqual(['RECEIPT_MISMATCH']);
  });

  it('deleting the anchor file is reported', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    rmSync(join(dir, ANCHOR_FILE));
    const r = await verifyNow(dir, session);
    expect(codes(r)).toEqual(['ANCHOR_MISSING']);
    expect(existsSync(join(dir, ANCHOR_FILE))).toBe(false);
  });

  it('an anchor file put back from an older copy, or edited, is reported', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const older = readFileSync(join(dir, ANCHOR_FILE), 'utf8');
    await session.unlock(PASS);
    session.lock(); // checkpoint 2
    writeFileSync(join(dir, ANCHOR_FILE), older);
    let r = await verifyNow(dir, session);
    expect(codes(r)).toEqual(['ANCHOR_BEHIND']);
    session.lock();
    writeFileSync(join(dir, ANCHOR_FILE), readFileSync(join(dir, ANCHOR_FILE), 'utf8').replace(/"seq":\d+/, '"seq":1'));
    r = await verifyNow(dir, session);
    expect(codes(r)).toContain('CHECKPOINT_FORGED');
  });

  it('a vault put back from an older copy is reported against the anchor file', async () => {
    const { dir, session } = await lockedVaultWithEvents();
    const oldDb = readFileSync(join(dir, 'vault.db'));
    await session.unlock(PASS);
    session.lock(); // checkpoint 2 at the newer head
    writeFileSync(join(dir, 'vault.db'), oldDb);
    rmSync(join(dir, 'vault.db-wal'), { force: true });
    const raw = await rawOpen(dir);
    const r = await bothWays(raw.db, raw.access, raw.chainKey, raw.checkpointKey, dir);
    raw.db.close();
    expect(codes(r)).toEqual(expect.arrayContaining(['VAULT_CHECKPOINTS_BEHIND', 'TAIL_MISSING']));
  });
});
