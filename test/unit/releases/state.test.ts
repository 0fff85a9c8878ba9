import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { canMoveRelease, moveRelease, RELEASE_TRANSITIONS } from '../../../src/main/services/releases/state';
import type { ReleaseStatus } from '../../../src/main/services/releases/repo';
import { migrate } from '../../../src/main/services/vault/migrations';

const ALL = Object.keys(RELEASE_TRANSITIONS) as ReleaseStatus[];

function vault() {
  const db = new Database(':memory:');
  migrate(db);
  db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_000001', 'R-1', 'draft', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
  return db;
}

describe('the release state machine', () => {
  it('has a rule for every status, and no way out of cancelled nor back from sent except a bounce', () => {
    expect(ALL.sort()).toEqual(['bounced', 'cancelled', 'draft', 'failed', 'partly_sent', 'queued', 'sending', 'sent', 'unconfirmed', 'waiting_for_server', 'with_practice_server']);
    expect(RELEASE_TRANSITIONS.cancelled).toEqual([]);
    expect(RELEASE_TRANSITIONS.sent).toEqual(['bounced']);
    // Email only leaves through the outbox: a draft never jumps to sending.
    expect(canMoveRelease('draft', 'sending')).toBe(false);
    // An unconfirmed release never silently becomes failed or draft.
    expect(canMoveRelease('unconfirmed', 'failed')).toBe(false);
    expect(canMoveRelease('unconfirmed', 'draft')).toBe(false);
  });

  it('writes the status and its audit event together, and refuses a move the table does not allow (nothing written)', () => {
    const db = vault();
    const events: unknown[] = [];
    const audit = (e: unknown) => events.push(e) as number;
    expect(moveRelease(db, audit, 'rel_000001', 'queued', new Date('2026-01-01T00:00:00Z'), { nextAttemptAt: null, audit: { action: 'release.queued' } })).toBe('draft');
    expect(events).toEqual([{ action: 'release.queued', outcome: 'success', subjectType: 'release', subjectId: 'rel_000001', detail: { from: 'draft', to: 'queued' } }]);
    expect(() => moveRelease(db, audit, 'rel_000001', 'sent', new Date(), { audit: { action: 'x' } })).toThrow(expect.objectContaining({ code: 'STATUS_TRANSITION_INVALID' }));
    expect(events).toHaveLength(1);
    expect(db.prepare('SELECT status, updated_at FROM releases').get()).toEqual({ status: 'queued', updated_at: '2026-01-01T00:00:00.000Z' });
  });
});

describe('bounces in the state machine', () => {
  it('lets a returned part bounce a sent, partly sent or unconfirmed release, and a bounced one be delivered again (outbox, export, print) or cancelled', () => {
    for (const from of ['sent', 'partly_sent', 'unconfirmed'] as const) expect(canMoveRelease(from, 'bounced')).toBe(true);
    for (const from of ['draft', 'queued', 'sending', 'failed', 'cancelled'] as const) expect(canMoveRelease(from, 'bounced')).toBe(false);
    expect(RELEASE_TRANSITIONS.bounced).toEqual(['queued', 'cancelled', 'sent']);
  });
});

describe('the practice server in the state machine', () => {
  it('a queued release is handed to the practice outbox or waits for the server; only the server’s outcome (or a withdrawal through the server) moves it on; nothing leaves a waiting release', () => {
    expect(RELEASE_TRANSITIONS.waiting_for_server).toEqual(['with_practice_server', 'draft', 'cancelled']);
    expect(RELEASE_TRANSITIONS.with_practice_server).toEqual(['sent', 'partly_sent', 'unconfirmed', 'failed', 'draft', 'cancelled']);
    for (const to of ['waiting_for_server', 'with_practice_server'] as const) expect(canMoveRelease('queued', to)).toBe(true);
    // Only a prepared (queued) release can go to the practice server; a draft never skips preparation.
    for (const from of ['draft', 'sending', 'sent', 'failed', 'cancelled'] as const) expect(canMoveRelease(from, 'with_practice_server')).toBe(false);
    // A release with the practice server is never sent from here meanwhile; it can be withdrawn or cancelled (only
    // through the shared outbox, which refuses while a workstation is sending it: practice-route.ts withdraw).
    for (const to of ['sending', 'queued'] as const) expect(canMoveRelease('with_practice_server', to)).toBe(false);
    for (const to of ['draft', 'cancelled'] as const) expect(canMoveRelease('with_practice_server', to)).toBe(true);
  });
});
