import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendPracticeAudit, listPracticeAudit, verifyPracticeAudit, writePracticeAuditCheckpoint } from '../../../src/main/services/practice/audit-repo';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import { getKeyWrap, grantPracticeKey, openPracticeKeys, removeKeyWrap, setUpPracticeKey } from '../../../src/main/services/practice/keys-repo';
import {
  createPracticeRequest,
  createPracticeRequests,
  findPracticeRequestsByEmail,
  findPracticeRequestsByMrn,
  getPracticeRequest,
  getSealedPracticeRequest,
  listPracticeRequestsPage,
  openRequest,
  setPracticeRequestStatus,
  type PracticeRequestPhi,
  type RequestCursor,
} from '../../../src/main/services/practice/requests-repo';
import { newPracticeDataKey, practiceKeys, type PracticeKeys } from '../../../src/main/services/practice/sealing';
import { engines } from '../../support/practice-engines';

const AT = '2026-03-02T15:04:05.000Z';

function phi(i: number, over: Partial<PracticeRequestPhi> = {}): PracticeRequestPhi {
  return {
    patientName: `Zyxwv Testpatient ${i}`,
    dateOfBirth: '1961-04-23',
    mrn: `MRN-${58213 + i}-QX`,
    requesterName: null,
    requesterEmail: `zyxwv.testpatient${i}@example.test`,
    description: 'All visit notes from 2025',
    ...over,
  };
}

/** Register a practice data key row for `keys` directly (the argon2id wrap is tested once, below). */
async function registerKey(db: SqlEngine, keys: PracticeKeys): Promise<void> {
  await db.run('INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, $3)', [keys.keyId, AT, 'usr_admin1']);
}

describe.each(engines())('practice store repositories on $name', (h) => {
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  let db: SqlEngine;
  let keys: PracticeKeys;
  beforeEach(async () => {
    db = await h.fresh();
    keys = practiceKeys(newPracticeDataKey());
    await registerKey(db, keys);
  });
  afterEach(() => db.close());

  describe('keys', () => {
    it('the practice key is made once, wrapped per user; each holder opens the same key; wrong passphrase, no wrap and a second set-up are coded errors', async () => {
      await db.run('DELETE FROM practice_data_keys');
      const admin = { id: 'usr_admin1', passphrase: 'admin passphrase words' };
      const made = await setUpPracticeKey(db, admin, AT);
      await expect(setUpPracticeKey(db, { id: 'usr_other', passphrase: 'x y z w' }, AT)).rejects.toMatchObject({ code: 'PRACTICE_DB_CONFLICT' });
      await expect(openPracticeKeys(db, { id: 'usr_dana01', passphrase: 'dana passphrase' })).rejects.toMatchObject({ code: 'PRACTICE_KEY_NOT_WRAPPED' });
      await grantPracticeKey(db, admin, { id: 'usr_dana01', passphrase: 'dana passphrase' }, AT);
      const dana = await openPracticeKeys(db, { id: 'usr_dana01', passphrase: 'dana passphrase' });
      expect(dana.keyId).toBe(made.keyId);
      expect(dana.sealKey.equals(made.sealKey)).toBe(true);
      await expect(openPracticeKeys(db, { id: 'usr_dana01', passphrase: 'not it' })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
      const wrap = await getKeyWrap(db, 'usr_dana01');
      expect(wrap!.ciphertext.length).toBe(32);
      expect(await removeKeyWrap(db, 'usr_dana01')).toBe(true);
      await expect(openPracticeKeys(db, { id: 'usr_dana01', passphrase: 'dana passphrase' })).rejects.toMatchObject({ code: 'PRACTICE_KEY_NOT_WRAPPED' });
    });
  });

  describe('requests', () => {
    it('a request round-trips: metadata in clear, PHI sealed, opened with the practice key', async () => {
      const meta = await createPracticeRequest(db, keys, { receivedOn: '2026-03-02', dueOn: '2026-04-01', at: AT, phi: phi(1) });
      expect(meta).toMatchObject({ status: 'received', receivedOn: '2026-03-02', dueOn: '2026-04-01', createdAt: AT });
      expect(meta.id).toMatch(/^preq_[0-9a-f]{24}$/);
      const got = await getPracticeRequest(db, keys, meta.id);
      expect(got).toEqual({ ...meta, phi: phi(1) });
      const raw = await db.one<{ sealed: Buffer; mrn_index: string }>('SELECT sealed, mrn_index FROM practice_requests WHERE id = $1', [meta.id]);
      expect(raw!.sealed.includes(Buffer.from('Zyxwv'))).toBe(false);
      expect(raw!.mrn_index).toMatch(/^[0-9a-f]{64}$/);
      await setPracticeRequestStatus(db, meta.id, 'verifying', '2026-03-03T09:00:00.000Z');
      expect((await getPracticeRequest(db, keys, meta.id)).status).toBe('verifying');
      await expect(getPracticeRequest(db, keys, 'preq_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('finds requests by MRN and by email through the blind index, however they are typed', async () => {
      const a = await createPracticeRequest(db, keys, { receivedOn: '2026-03-02', dueOn: '2026-04-01', at: AT, phi: phi(1) });
      const b = await createPracticeRequest(db, keys, { receivedOn: '2026-03-05', dueOn: '2026-04-04', at: AT, phi: phi(1, { description: 'Imaging' }) });
      await createPracticeRequest(db, keys, { receivedOn: '2026-03-03', dueOn: '2026-04-02', at: AT, phi: phi(2) });
      await createPracticeRequest(db, keys, { receivedOn: '2026-03-03', dueOn: '2026-04-02', at: AT, phi: phi(3, { mrn: null, requesterEmail: null }) });
      expect((await findPracticeRequestsByMrn(db, keys, ' mrn 58214 qx')).map((r) => r.id)).toEqual([a.id, b.id]);
      expect((await findPracticeRequestsByEmail(db, keys, 'ZYXWV.TestPatient1@example.test ')).map((r) => openRequest(keys, r).phi.description)).toEqual(['All visit notes from 2025', 'Imaging']);
      expect(await findPracticeRequestsByMrn(db, keys, 'MRN-99999-ZZ')).toEqual([]);
      expect(await findPracticeRequestsByMrn(db, keys, '--')).toEqual([]);
      // another practice key finds nothing: the index is keyed
      expect(await findPracticeRequestsByMrn(db, practiceKeys(newPracticeDataKey()), 'MRN-58214-QX')).toEqual([]);
    });

    it('lists pages ordered by due date then id; the walk visits every request once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) {
        const due = `2026-04-${String(1 + (i % 7)).padStart(2, '0')}`;
        ids.push((await createPracticeRequest(db, keys, { receivedOn: '2026-03-01', dueOn: due, at: AT, phi: phi(i) })).id);
      }
      const seen: { dueOn: string; id: string }[] = [];
      let after: RequestCursor | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof listPracticeRequestsPage>> = await listPracticeRequestsPage(db, { limit: 5, after });
        seen.push(...page.rows.map((r) => ({ dueOn: r.dueOn, id: r.id })));
        after = page.next;
        pages++;
      } while (after);
      expect(pages).toBe(5);
      expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
      const sorted = [...seen].sort((x, y) => (x.dueOn < y.dueOn ? -1 : x.dueOn > y.dueOn ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      expect(seen).toEqual(sorted);
      await expect(listPracticeRequestsPage(db, { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('a request sealed under another practice key is PRACTICE_KEY_WRONG; a changed or swapped ciphertext is PRACTICE_DATA_TAMPERED', async () => {
      const a = await createPracticeRequest(db, keys, { receivedOn: '2026-03-02', dueOn: '2026-04-01', at: AT, phi: phi(1) });
      const b = await createPracticeRequest(db, keys, { receivedOn: '2026-03-02', dueOn: '2026-04-01', at: AT, phi: phi(2) });
      await expect(getPracticeRequest(db, practiceKeys(newPracticeDataKey()), a.id)).rejects.toMatchObject({ code: 'PRACTICE_KEY_WRONG' });
      const rowA = (await getSealedPracticeRequest(db, a.id))!;
      const rowB = (await getSealedPracticeRequest(db, b.id))!;
      const flipped = Buffer.from(rowA.sealed);
      flipped[flipped.length - 3]! ^= 0x40;
      await db.run('UPDATE practice_requests SET sealed = $1 WHERE id = $2', [flipped, a.id]);
      const err = await getPracticeRequest(db, keys, a.id).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PRACTICE_DATA_TAMPERED' });
      expect((err as Error).message).not.toContain('Zyxwv');
      // the server's operator swaps two patients' sealed values: each refuses to open in the other's row
      await db.run('UPDATE practice_requests SET sealed = $1 WHERE id = $2', [rowB.sealed, a.id]);
      await expect(getPracticeRequest(db, keys, a.id)).rejects.toMatchObject({ code: 'PRACTICE_DATA_TAMPERED' });
    });

    it('many requests are stored at once (chunks of 100 rows), each sealed to its own row and findable', async () => {
      const metas = await createPracticeRequests(db, keys, Array.from({ length: 230 }, (_, i) => ({ receivedOn: '2026-03-02', dueOn: '2026-04-01', at: AT, phi: phi(i) })));
      expect(metas).toHaveLength(230);
      expect(await db.one('SELECT count(*) AS c FROM practice_requests')).toEqual({ c: 230 });
      expect((await getPracticeRequest(db, keys, metas[157]!.id)).phi).toEqual(phi(157));
      expect((await findPracticeRequestsByMrn(db, keys, phi(229).mrn!)).map((r) => r.id)).toEqual([metas[229]!.id]);
      const bad = await createPracticeRequests(db, keys, [{ receivedOn: '2026-03-02', dueOn: '2026-04-01', at: AT, phi: phi(1) }, { receivedOn: 'x', dueOn: '2026-04-01', at: AT, phi: phi(2) }]).catch((e: unknown) => e);
      expect(bad).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('Request 2') });
      expect(await db.one('SELECT count(*) AS c FROM practice_requests')).toEqual({ c: 230 });
    });

    it('bad input is refused with VALIDATION_FAILED naming the field, never its value; nothing is stored', async () => {
      const err = await createPracticeRequest(db, keys, { receivedOn: '2026-03-02', dueOn: '2026-02-01', at: AT, phi: phi(1, { dateOfBirth: '23/04/1961' }) }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((err as Error).message).toMatch(/dueOn/);
      expect((err as Error).message).toMatch(/phi\.dateOfBirth/);
      expect((err as Error).message).not.toContain('1961');
      expect(await db.one('SELECT count(*) AS c FROM practice_requests')).toEqual({ c: 0 });
    });
  });

  describe('audit chain', () => {
    it('events chain linearly, details are sealed at rest and open for the practice, and the chain verifies', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await appendPracticeAudit(db, keys, { at: AT, actor: 'usr_dana01', action: 'request.create', outcome: 'success', subjectType: 'request', subjectId: `preq_${i}`, detail: { patient: 'Zyxwv Testpatient', mrn: 'MRN-58213-QX' } });
        expect(r.seq).toBe(i + 1);
      }
      const raw = await db.all<{ detail_sealed: Buffer }>('SELECT detail_sealed FROM practice_audit_events');
      for (const r of raw) expect(r.detail_sealed.includes(Buffer.from('Zyxwv'))).toBe(false);
      const events = await listPracticeAudit(db, keys, { subjectId: 'preq_3' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ seq: 4, action: 'request.create', detail: { patient: 'Zyxwv Testpatient' } });
      expect(await verifyPracticeAudit(db, keys)).toEqual({ intact: true, checked: 5, lastSeq: 5 });
      await expect(appendPracticeAudit(db, keys, { at: AT, actor: 'usr_dana01', action: 'Bad Action!', outcome: 'success' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('concurrent appenders (4 connections on PostgreSQL, 200 events) keep the chain linear: seq 1..200, verify ok', async () => {
      const writers = h.another ? [db, h.another({ poolSize: 2 }), h.another({ poolSize: 2 }), h.another({ poolSize: 2 })] : [db];
      try {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => appendPracticeAudit(writers[i % writers.length]!, keys, { at: AT, actor: `usr_ws${i % 4}`, action: 'release.claim', outcome: 'success', subjectType: 'release', subjectId: `rel_${i}`, detail: { n: i } })),
        );
        expect(results.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      } finally {
        for (const w of writers.slice(1)) await w.close();
      }
      expect(await verifyPracticeAudit(db, keys)).toEqual({ intact: true, checked: 200, lastSeq: 200 });
    });

    it('an action and its audit event commit together, or neither does', async () => {
      await expect(
        db.transaction(async (tx) => {
          await createPracticeRequest(tx, keys, { receivedOn: '2026-03-02', dueOn: '2026-04-01', at: AT, phi: phi(1) });
          await appendPracticeAudit(tx, keys, { at: AT, actor: 'usr_dana01', action: 'request.create', outcome: 'success' });
          throw new Error('crash before commit');
        }),
      ).rejects.toThrow('crash before commit');
      expect(await db.one('SELECT count(*) AS c FROM practice_requests')).toEqual({ c: 0 });
      expect(await db.one('SELECT count(*) AS c FROM practice_audit_events')).toEqual({ c: 0 });
    });

    it('verify names the first tampered row (hash mismatch) and a removed row (gap)', async () => {
      for (let i = 0; i < 8; i++) await appendPracticeAudit(db, keys, { at: AT, actor: 'usr_dana01', action: 'request.view', outcome: 'success', subjectType: 'request', subjectId: `preq_${i}` });
      expect(await writePracticeAuditCheckpoint(db, keys, AT)).toMatchObject({ seq: 8, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(await verifyPracticeAudit(db, keys)).toEqual({ intact: true, checked: 8, lastSeq: 8 });
      // the operator (owner of the tables) lifts the append-only guard and edits history
      const unguard = db.dialect === 'postgres'
        ? ['ALTER TABLE practice_audit_events DISABLE TRIGGER USER', 'ALTER TABLE practice_audit_checkpoints DISABLE TRIGGER USER']
        : ['DROP TRIGGER practice_audit_events_no_update', 'DROP TRIGGER practice_audit_events_no_delete', 'DROP TRIGGER practice_audit_checkpoints_no_update'];
      for (const s of unguard) await db.run(s);
      await db.run("UPDATE practice_audit_events SET action = 'request.print' WHERE seq = 5");
      expect(await verifyPracticeAudit(db, keys)).toMatchObject({ intact: false, checked: 4, problem: { seq: 5, kind: 'hash-mismatch' } });
      await db.run("UPDATE practice_audit_events SET action = 'request.view' WHERE seq = 5");
      expect((await verifyPracticeAudit(db, keys)).intact).toBe(true);
      await db.run('DELETE FROM practice_audit_events WHERE seq = 3');
      expect(await verifyPracticeAudit(db, keys)).toMatchObject({ intact: false, problem: { seq: 3, kind: 'gap' } });
    });

    it('a cut-off tail is found through the stored checkpoint, or the mark the workstation kept when the checkpoints are deleted too; a forged checkpoint is named', async () => {
      for (let i = 0; i < 4; i++) await appendPracticeAudit(db, keys, { at: AT, actor: 'usr_dana01', action: 'request.view', outcome: 'success' });
      const mark = (await writePracticeAuditCheckpoint(db, keys, AT))!;
      if (db.dialect === 'postgres') {
        // the server's superuser bypasses triggers and foreign keys
        h.server!.psql('SET session_replication_role = replica; DELETE FROM practice_audit_events WHERE seq = 4; ALTER TABLE practice_audit_checkpoints DISABLE TRIGGER USER;', h.server!.database);
      } else {
        await db.run('DROP TRIGGER practice_audit_events_no_delete');
        await db.run('DROP TRIGGER practice_audit_checkpoints_no_update');
        await db.run('DROP TRIGGER practice_audit_checkpoints_no_delete');
        await db.run('PRAGMA foreign_keys = OFF');
        await db.run('DELETE FROM practice_audit_events WHERE seq = 4');
      }
      expect(await verifyPracticeAudit(db, keys)).toMatchObject({ intact: false, lastSeq: 3, problem: { seq: 4, kind: 'tail-missing' } });
      // the operator also deletes the checkpoint rows: the mark the workstation kept still shows the lost tail
      if (db.dialect === 'postgres') h.server!.psql('SET session_replication_role = replica; DELETE FROM practice_audit_checkpoints;', h.server!.database);
      else await db.run('DELETE FROM practice_audit_checkpoints');
      expect((await verifyPracticeAudit(db, keys)).intact).toBe(true);
      expect(await verifyPracticeAudit(db, keys, [mark])).toMatchObject({ intact: false, lastSeq: 3, problem: { seq: 4, kind: 'tail-missing' } });
      await writePracticeAuditCheckpoint(db, keys, AT);
      await db.run("UPDATE practice_audit_checkpoints SET at = '2020-01-01T00:00:00.000Z'");
      expect(await verifyPracticeAudit(db, keys)).toMatchObject({ intact: false, problem: { seq: 3, kind: 'checkpoint-forged' } });
    });
  });
});
