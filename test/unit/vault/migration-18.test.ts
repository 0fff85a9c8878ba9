import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/services/vault/migrations';
import { earlierLinkKeys, putPracticeStaffLocal, queueStaffChange, replaceLinkKey, rootLinkKey, waitingStaffChanges, markStaffChangePushed, workstationSecret, setWorkstationSecret } from '../../../src/main/services/practice/staff-vault-repo';

describe('migration 18 (practice-wide staff accounts on this workstation)', () => {
  it('keeps the link, queues directory changes that are never deleted, keeps a workstation key and earlier practice keys with the root marked', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 17)).toBe(17);
    db.prepare("INSERT INTO users (id, name, role, active, created_at) VALUES ('user_1', 'Mira Practicewide', 'front_desk', 1, 't')").run();
    const k1 = Buffer.alloc(32, 1);
    db.prepare("INSERT INTO practice_link (id, workstation_id, workstation_label, key_id, data_key, joined_at, joined_by) VALUES (1, ?, 'Front desk 1', 'k1', ?, 't', 'user_1')").run('a'.repeat(32), k1);
    expect(migrate(db)).toBeGreaterThanOrEqual(18);

    putPracticeStaffLocal(db, 'user_1', { publicKey: Buffer.alloc(32, 7) });
    putPracticeStaffLocal(db, 'user_1', { version: 3 });
    expect(db.prepare('SELECT version, length(public_key) AS n FROM practice_staff_local').get()).toEqual({ version: 3, n: 32 });
    expect(() => putPracticeStaffLocal(db, 'nobody', {})).toThrow(/FOREIGN KEY/);

    queueStaffChange(db, 'user_1', '{"kind":"signin","at":"t"}', 't');
    const [w] = waitingStaffChanges(db);
    markStaffChangePushed(db, w!.seq, 't2');
    expect(waitingStaffChanges(db)).toEqual([]);
    expect(() => db.prepare('DELETE FROM practice_staff_outbox').run()).toThrow(/kept/);

    expect(workstationSecret(db)).toBeNull();
    setWorkstationSecret(db, Buffer.alloc(32, 9));
    expect(workstationSecret(db)!.equals(Buffer.alloc(32, 9))).toBe(true);
    expect(() => setWorkstationSecret(db, Buffer.alloc(16))).toThrow(/CHECK/);

    // The first key replaced becomes the root; a second rotation keeps it the root.
    replaceLinkKey(db, { keyId: 'k2', dataKey: Buffer.alloc(32, 2) }, 't3');
    replaceLinkKey(db, { keyId: 'k3', dataKey: Buffer.alloc(32, 3) }, 't4');
    expect(rootLinkKey(db)!.equals(k1)).toBe(true);
    expect(earlierLinkKeys(db).map((k) => [k.keyId, k.isRoot])).toEqual([['k2', false], ['k1', true]]);
    expect(db.prepare('SELECT key_id FROM practice_link').get()).toEqual({ key_id: 'k3' });
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });
});
