/**
 * Practice migration 0006 (the rest of a request; practice-wide references) on both engines, through its repository
 * (sync-records-repo.ts): records are written at version 1 and changed only against the version they were made on;
 * every accepted write takes the next practice-wide change number, and "changes after n" lists them in order; a
 * document's chunks are sealed and bound to their place, a second copy of a chunk is refused, the file is complete
 * only with every chunk; references allocated concurrently are all different and each request keeps its own; no row
 * of the new tables can be deleted.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { practiceKeys } from '../../../src/main/services/practice/sealing';
import {
  allocateServerReference,
  beginServerDocumentFile,
  completeServerDocumentFile,
  getServerRow,
  insertServerRow,
  putServerDocumentChunk,
  readServerDocumentChunk,
  registerReference,
  serverChangesAfter,
  serverDocumentFile,
  updateServerRow,
} from '../../../src/main/services/practice/sync-records-repo';
import { engines } from '../../support/practice-engines';
import { useEngineHarness } from '../../support/practice-suite';

const KEYS = practiceKeys(randomBytes(32));
const AT = '2026-12-07T09:00:00.000Z';
const MRN = 'MRN-58213-QX';

describe.each(engines())('migration 0006 record-sync on $name', (h) => {
  const fresh = useEngineHarness(h);
  const ready = async () => {
    const db = await fresh({ migrate: false });
    expect(await migratePractice(db, 4)).toBe(4);
    expect(await migratePractice(db)).toBeGreaterThanOrEqual(6);
    await db.run('INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, $3)', [KEYS.keyId, AT, 'usr_admin1']);
    return db;
  };
  const meta = (id: string, state = 'current') => ({ kind: 'authorization', id, requestId: 'req_1', state, mrn: MRN });

  it('records: version 1, changes only against the version they were made on, each write a new change number in commit order; sealed, MRN blind-indexed', async () => {
    const db = await ready();
    expect(await insertServerRow(db, KEYS, meta('auth_1'), { id: 'auth_1', note: 'Zyxwv Testpatient' }, 'ws-a', AT)).toBe(true);
    expect(await insertServerRow(db, KEYS, meta('auth_1'), { id: 'auth_1', note: 'other' }, 'ws-b', AT)).toBe(false);
    expect(await insertServerRow(db, KEYS, meta('auth_2'), { id: 'auth_2' }, 'ws-a', AT)).toBe(true);
    expect(await updateServerRow(db, KEYS, meta('auth_1', 'superseded'), { id: 'auth_1', note: 'v2' }, 1, 'ws-b', AT)).toBe(2);
    expect(await updateServerRow(db, KEYS, meta('auth_1'), { id: 'auth_1', note: 'stale' }, 1, 'ws-a', AT)).toBeNull();
    expect(await getServerRow(db, KEYS, 'authorization', 'auth_1')).toMatchObject({ version: 2, row: { id: 'auth_1', note: 'v2' } });
    expect((await serverChangesAfter(db, 0, 10)).map((c) => [c.id, c.version, c.changeSeq])).toEqual([
      ['auth_2', 1, 2],
      ['auth_1', 2, 3],
    ]);
    expect(await serverChangesAfter(db, 3, 10)).toEqual([]);
    const raw = await db.one<{ record_sealed: Buffer; mrn_index: string; state: string }>("SELECT record_sealed, mrn_index, state FROM practice_records WHERE id = 'auth_1'");
    expect(Buffer.from(raw!.record_sealed).includes(Buffer.from('v2'))).toBe(false);
    expect(raw!.mrn_index).toMatch(/^[0-9a-f]{64}$/);
    expect(raw!.state).toBe('superseded');
    await expect(db.run('DELETE FROM practice_records')).rejects.toThrow();
  });

  it('document files: chunks sealed and bound to their place, a second copy refused, complete only with every chunk', async () => {
    const db = await ready();
    await beginServerDocumentFile(db, KEYS, { id: 'doc_1', sizeBytes: 6, chunkCount: 2 }, 'ws-a', AT);
    await beginServerDocumentFile(db, KEYS, { id: 'doc_1', sizeBytes: 6, chunkCount: 2 }, 'ws-a', AT);
    expect(await putServerDocumentChunk(db, KEYS, 'doc_1', 0, Buffer.from('Zyx'))).toBe(true);
    expect(await completeServerDocumentFile(db, 'doc_1', AT)).toBe(false);
    expect(await putServerDocumentChunk(db, KEYS, 'doc_1', 0, Buffer.from('Zyx'))).toBe(false);
    expect(await putServerDocumentChunk(db, KEYS, 'doc_1', 1, Buffer.from('wvT'))).toBe(true);
    expect(await completeServerDocumentFile(db, 'doc_1', AT)).toBe(true);
    expect(await serverDocumentFile(db, 'doc_1')).toEqual({ sizeBytes: 6, chunkCount: 2, complete: true, present: [0, 1] });
    expect((await readServerDocumentChunk(db, KEYS, 'doc_1', 1)).toString()).toBe('wvT');
    const rows = await db.all<{ seq: number; sealed: Buffer }>("SELECT seq, sealed FROM practice_document_chunks WHERE document_id = 'doc_1' ORDER BY seq");
    for (const r of rows) expect(Buffer.from(r.sealed).includes(Buffer.from('Zyx'))).toBe(false);
    await db.run("UPDATE practice_document_chunks SET sealed = $1 WHERE document_id = 'doc_1' AND seq = 0", [Buffer.from(rows[1]!.sealed)]);
    await expect(readServerDocumentChunk(db, KEYS, 'doc_1', 0)).rejects.toMatchObject({ code: 'PRACTICE_DATA_TAMPERED' });
    await expect(db.run('DELETE FROM practice_document_chunks')).rejects.toThrow();
    await expect(db.run('DELETE FROM practice_documents')).rejects.toThrow();
  });

  it('references allocated concurrently are all different; a request keeps the one it was given; a taken one is never given again', async () => {
    const db = await ready();
    expect(await registerReference(db, 'Q-2026-00002', 'req_offline', 'workstation', 'ws-b', AT)).toBe(true);
    const refs = await Promise.all(Array.from({ length: 24 }, (_, i) => allocateServerReference(db, 2026, `req_${i}`, i % 2 ? 'ws-a' : 'ws-b', AT)));
    expect(new Set(refs).size).toBe(24);
    expect(refs).not.toContain('Q-2026-00002');
    expect(refs.every((r) => /^Q-2026-\d{5}$/.test(r))).toBe(true);
    expect(await allocateServerReference(db, 2026, 'req_3', 'ws-a', AT)).toBe(refs[3]);
    expect(await registerReference(db, refs[0]!, 'req_other', 'workstation', 'ws-a', AT)).toBe(false);
    expect(await registerReference(db, refs[0]!, 'req_0', 'server', 'ws-a', AT)).toBe(true);
    await expect(db.run('DELETE FROM practice_references')).rejects.toThrow();
  });
});
