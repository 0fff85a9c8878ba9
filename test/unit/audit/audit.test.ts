import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appendAudit, listAudit, verifyAudit } from '../../../src/main/services/audit/audit';
import { migrate } from '../../../src/main/services/vault/migrations';

function setup() {
  const db = new Database(':memory:');
  migrate(db);
  const key = randomBytes(32);
  const at = new Date('2026-03-01T12:00:00Z');
  for (let i = 0; i < 5; i++) {
    appendAudit(db, key, { at, actor: 'Staff A', action: `test.action${i}`, outcome: 'success', subjectType: 'release', subjectId: `r${i}`, detail: { n: i, z: 'a', a: true } });
  }
  return { db, key };
}

describe('audit log (tamper-evident, 164.312(b) and (c)(1))', () => {
  it('chains events and verifies intact', () => {
    const { db, key } = setup();
    expect(verifyAudit(db, key)).toEqual({ intact: true, checked: 5, firstBrokenSeq: null });
    const events = listAudit(db, 10);
    expect(events.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(events[0]!.detail).toEqual({ a: true, n: 4, z: 'a' });
  });

  it('detects an edited event even when the attacker bypasses the triggers', () => {
    const { db, key } = setup();
    db.exec('DROP TRIGGER audit_events_no_update');
    db.prepare("UPDATE audit_events SET action = 'innocent' WHERE seq = 3").run();
    expect(verifyAudit(db, key)).toMatchObject({ intact: false, firstBrokenSeq: 3 });
  });

  it('detects a deleted event', () => {
    const { db, key } = setup();
    db.exec('DROP TRIGGER audit_events_no_delete');
    db.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    expect(verifyAudit(db, key)).toMatchObject({ intact: false, firstBrokenSeq: 3 });
  });

  it('detects a forged chain made without the vault key', () => {
    const { db } = setup();
    expect(verifyAudit(db, randomBytes(32))).toMatchObject({ intact: false, firstBrokenSeq: 1 });
  });
});
