import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit, verifyAudit } from '../../../src/main/services/audit/audit';
import { Session, unlockWaitSeconds } from '../../../src/main/services/session';
import { fixedClock } from '../../../src/main/services/support/clock';
import { memoryLogger } from '../../../src/main/services/support/logger';
import { AppError } from '../../../src/shared/errors';

const PASS = 'correct horse battery staple orbit';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function newSession() {
  const dir = mkdtempSync(join(tmpdir(), 'rd-session-'));
  dirs.push(dir);
  const clock = fixedClock('2026-03-01T15:00:00Z');
  return { dir, clock, session: new Session(dir, clock, memoryLogger()) };
}

describe('session', () => {
  it('reports state, refuses work while locked, and audits unlock and lock', async () => {
    const { session } = newSession();
    expect(session.state).toBe('uninitialized');
    expect(() => session.require()).toThrow(expect.objectContaining({ code: 'VAULT_NOT_INITIALIZED' }) as never);
    await session.create(PASS);
    session.lock();
    expect(session.state).toBe('locked');
    expect(() => session.require()).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }) as never);
    await session.unlock(PASS);
    const actions = listAudit(session.require().db, 10).map((e) => e.action);
    expect(actions).toEqual(['vault.unlock', 'vault.lock']);
  });

  it('records failed unlocks while locked and moves them into the audit log at the next unlock', async () => {
    const { session, dir, clock } = newSession();
    await session.create(PASS);
    session.lock();
    clock.set('2026-03-02T08:00:00Z');
    await expect(session.unlock('wrong passphrase here')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    expect(existsSync(join(dir, 'unlock-failures.jsonl'))).toBe(true);
    clock.set('2026-03-02T08:05:00Z');
    await session.unlock(PASS);
    expect(existsSync(join(dir, 'unlock-failures.jsonl'))).toBe(false);
    const events = listAudit(session.require().db, 10);
    expect(events.find((e) => e.outcome === 'failure')).toMatchObject({ action: 'vault.unlock', at: '2026-03-02T08:00:00.000Z', detail: { code: 'WRONG_PASSPHRASE' } });
    expect(verifyAudit(session.require().db, session.auditKey()).intact).toBe(true);
  });

  it('slows guessing: after 3 wrong passphrases each attempt must wait (2 s, 4 s, …), counted across restarts, reset by a good unlock', async () => {
    const { session, dir, clock } = newSession();
    await session.create(PASS);
    session.lock();
    for (let i = 0; i < 3; i++) await expect(session.unlock(`wrong ${i} passphrase`)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    // The 4th attempt right away is refused without even trying the passphrase (even the right one).
    await expect(session.unlock(PASS)).rejects.toMatchObject({ code: 'UNLOCK_THROTTLED', detail: { waitSeconds: 2 } });
    clock.advance(2_000);
    await expect(session.unlock('wrong again passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    // A new Session (app restart) still knows: 4 failures -> wait 4 s.
    const restarted = new Session(dir, clock, memoryLogger());
    await expect(restarted.unlock(PASS)).rejects.toMatchObject({ code: 'UNLOCK_THROTTLED', detail: { waitSeconds: 4 } });
    clock.advance(4_000);
    await restarted.unlock(PASS);
    const failures = listAudit(restarted.require().db, 20).filter((e) => e.action === 'vault.unlock' && e.outcome === 'failure');
    expect(failures).toHaveLength(4);
    restarted.lock();
    // Reset: the next wrong passphrase is free again.
    await expect(restarted.unlock('wrong after reset')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });

  it('unlockWaitSeconds grows exponentially and is capped', () => {
    expect([0, 1, 2, 3, 4, 5, 10, 30].map(unlockWaitSeconds)).toEqual([0, 0, 0, 2, 4, 8, 256, 300]);
  });

  it('audited(): commits the change with its event, or rolls back and records the refusal', async () => {
    const { session } = newSession();
    await session.create(PASS);
    const db = session.require().db;
    session.audited('test.put', { type: 'setting', id: 'a' }, () => db.prepare("INSERT INTO settings VALUES ('a', '1')").run());
    expect(() =>
      session.audited('test.put', { type: 'setting', id: 'b' }, () => {
        db.prepare("INSERT INTO settings VALUES ('b', '1')").run();
        throw new AppError('VALIDATION_FAILED', 'nope', { field: 'b' });
      }),
    ).toThrow('nope');
    expect(db.prepare("SELECT key FROM settings WHERE key IN ('a','b')").all()).toEqual([{ key: 'a' }]);
    const [refused, ok] = listAudit(db, 2);
    expect(refused).toMatchObject({ action: 'test.put', outcome: 'refused', subjectId: 'b', detail: { code: 'VALIDATION_FAILED', field: 'b' } });
    expect(ok).toMatchObject({ action: 'test.put', outcome: 'success', subjectId: 'a' });
  });
});
