/** The 164.524(b)(2) clock with a fixed clock, across DST (America/New_York) and at midnight. */
import { describe, expect, it } from 'vitest';
import { accessClock, accessDueDate, grantExtension } from '../../../src/main/services/compliance/deadlines';
import { lintAuthorization } from '../../../src/main/services/compliance/authorization';
import { canTransition, transitionStatus } from '../../../src/main/services/compliance/status';
import { DEFAULT_RULE_PACKS, parseRulePacks } from '../../../src/main/services/compliance/rulepacks';
import { isAppError } from '../../../src/shared/errors';
import { accessRequest, authorization, TZ } from './fixtures';

const at = (iso: string) => new Date(iso);
const clock = (receivedAt: string, now: string, extensions: { noticeDate: string; reason: string; newDueDate: string }[] = []) =>
  accessClock({ receivedAt, extensions }, at(now), TZ);

describe('due date: day of receipt is day 0, due on day 30, calendar days in the practice zone (164.524(b)(2)(i))', () => {
  it.each([
    ['received just before spring-forward (Mar 7 23:30 EST)', '2026-03-07T23:30:00-05:00', '2026-04-06'],
    ['received on the spring-forward day (Mar 8 03:30 EDT)', '2026-03-08T03:30:00-04:00', '2026-04-07'],
    ['received in October, due after fall-back', '2026-10-15T12:00:00-04:00', '2026-11-14'],
    ['received during the repeated hour on fall-back day (01:30 EST)', '2026-11-01T01:30:00-05:00', '2026-12-01'],
    ['received at local midnight', '2026-03-01T00:00:00-05:00', '2026-03-31'],
    ['received one second before local midnight', '2026-02-28T23:59:59-05:00', '2026-03-30'],
    ['UTC date differs from local date (22:00 EDT = 02:00Z next day)', '2026-03-10T02:00:00Z', '2026-04-08'],
    ['due date on a Saturday is not rolled forward', '2026-04-02T09:00:00-04:00', '2026-05-02'],
  ])('%s', (_n, receivedAt, due) => {
    expect(accessDueDate(receivedAt, TZ)).toBe(due);
  });

  it('a due date in a different zone follows that zone (Pacific)', () => {
    expect(accessDueDate('2026-03-10T02:00:00Z', 'America/Los_Angeles')).toBe('2026-04-08');
    expect(accessDueDate('2026-03-10T09:00:00Z', 'America/Los_Angeles')).toBe('2026-04-09');
  });

  it('due today through 23:59:59 local on day 30, overdue from 00:00 on day 31 (March, after DST start)', () => {
    const r = '2026-03-07T23:30:00-05:00';
    expect(clock(r, '2026-04-06T23:59:59-04:00')).toMatchObject({ day: 30, state: 'due_today', daysRemaining: 0 });
    expect(clock(r, '2026-04-07T00:00:00-04:00')).toMatchObject({ day: 31, state: 'overdue', daysRemaining: -1 });
  });

  it('due today / overdue at the midnight after the November fall-back', () => {
    const r = '2026-11-01T01:30:00-05:00';
    expect(clock(r, '2026-12-01T23:59:59-05:00').state).toBe('due_today');
    expect(clock(r, '2026-12-02T00:00:00-05:00').state).toBe('overdue');
    // 30 calendar days, although 30×24 h after receipt would land an hour earlier in wall time
    expect(clock(r, '2026-11-30T23:59:59-05:00')).toMatchObject({ day: 29, state: 'due_soon', daysRemaining: 1 });
  });

  it('warns from five days before; open earlier', () => {
    const r = '2026-03-01T10:00:00-05:00';
    expect(clock(r, '2026-03-25T12:00:00-04:00').state).toBe('open');
    expect(clock(r, '2026-03-26T12:00:00-04:00').state).toBe('due_soon');
  });

  it('an extension moves the effective due date', () => {
    const c = clock('2026-03-01T10:00:00-05:00', '2026-04-15T12:00:00-04:00', [{ noticeDate: '2026-03-20', reason: 'Archived records', newDueDate: '2026-04-30' }]);
    expect(c).toMatchObject({ dueDate: '2026-03-31', effectiveDueDate: '2026-04-30', extended: true, state: 'open' });
    expect(clock('2026-03-01T10:00:00-05:00', '2026-05-01T00:00:00-04:00', [{ noticeDate: '2026-03-20', reason: 'Archived records', newDueDate: '2026-04-30' }]).state).toBe('overdue');
  });
});

describe('one extension of at most 30 days, only within the first 30 days (164.524(b)(2)(ii)-(iii))', () => {
  const refusal = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      if (isAppError(e) && e.code === 'EXTENSION_REFUSED') return String(e.detail?.rule);
      throw e;
    }
    return undefined;
  };
  const req = accessRequest(); // received 2026-03-01 10:00 EST, due 2026-03-31
  it.each([
    ['day 10, new date day 60: granted', '2026-03-11T09:00:00-05:00', '2026-04-30', 'Records in off-site storage', undefined],
    ['day 30 at 23:59 local: still granted', '2026-03-31T23:59:00-04:00', '2026-04-15', 'Records in off-site storage', undefined],
    ['day 31 at 00:00 local: refused', '2026-04-01T00:00:00-04:00', '2026-04-30', 'Records in off-site storage', 'after_day_30'],
    ['new date day 61: refused', '2026-03-11T09:00:00-05:00', '2026-05-01', 'Records in off-site storage', 'date_after_day_60'],
    ['new date not after day 30: refused', '2026-03-11T09:00:00-05:00', '2026-03-31', 'Records in off-site storage', 'date_not_after_due'],
    ['no reason: refused', '2026-03-11T09:00:00-05:00', '2026-04-20', '   ', 'reason_required'],
  ])('%s', (_n, now, newDueDate, reason, rule) => {
    expect(refusal(() => grantExtension(req, { reason, newDueDate }, at(now), TZ))).toBe(rule);
  });

  it('returns the notice date (local) and the new date', () => {
    expect(grantExtension(req, { reason: 'Records in off-site storage', newDueDate: '2026-04-30' }, at('2026-03-11T02:00:00Z'), TZ)).toEqual({
      noticeDate: '2026-03-10',
      reason: 'Records in off-site storage',
      newDueDate: '2026-04-30',
    });
  });

  it('a second extension is refused', () => {
    const once = { ...req, extensions: [{ noticeDate: '2026-03-05', reason: 'Records in off-site storage', newDueDate: '2026-04-15' }] };
    expect(refusal(() => grantExtension(once, { reason: 'More time', newDueDate: '2026-04-30' }, at('2026-03-10T09:00:00-05:00'), TZ))).toBe('second_extension');
  });

  it('requests without the 164.524 clock have no extension', () => {
    expect(refusal(() => grantExtension({ ...req, basis: 'authorization' }, { reason: 'x y z', newDueDate: '2026-04-20' }, at('2026-03-10T09:00:00-05:00'), TZ))).toBe('not_access');
  });
});

describe('authorization validity at midnight across DST', () => {
  it('expiration on the spring-forward day is valid until local midnight', () => {
    const a = authorization({ expiration: { date: '2026-03-08' } });
    expect(lintAuthorization(a, at('2026-03-08T23:59:59-04:00'), TZ).map((f) => f.code)).not.toContain('AUTH_EXPIRED');
    expect(lintAuthorization(a, at('2026-03-09T00:00:00-04:00'), TZ).map((f) => f.code)).toContain('AUTH_EXPIRED');
  });
  it('a revocation received on the fall-back day is effective from its local midnight', () => {
    const a = authorization({ revocation: { receivedDate: '2026-11-01', method: 'written' } });
    expect(lintAuthorization(a, at('2026-10-31T23:59:59-04:00'), TZ).map((f) => f.code)).not.toContain('AUTH_REVOKED');
    expect(lintAuthorization(a, at('2026-11-01T00:00:00-04:00'), TZ).map((f) => f.code)).toContain('AUTH_REVOKED');
  });
  it('rejects an invalid time zone with a coded error', () => {
    expect(() => lintAuthorization(authorization(), at('2026-03-01T00:00:00Z'), 'Mars/Olympus')).toThrow(/time zone/);
  });
});

describe('status flow and rule packs', () => {
  it('follows received → verifying → ready → sent and refuses skipping or reopening', () => {
    expect(transitionStatus('received', 'verifying')).toBe('verifying');
    expect(canTransition('verifying', 'ready')).toBe(true);
    expect(canTransition('ready', 'partly_sent')).toBe(true);
    expect(canTransition('partly_sent', 'sent')).toBe(true);
    expect(canTransition('received', 'sent')).toBe(false);
    expect(() => transitionStatus('sent', 'ready')).toThrow(expect.objectContaining({ code: 'STATUS_TRANSITION_INVALID' }));
    expect(() => transitionStatus('withdrawn', 'verifying')).toThrow(expect.objectContaining({ code: 'STATUS_TRANSITION_INVALID' }));
  });
  it('default packs round-trip through JSON and validate; bad data is refused with a code', () => {
    expect(parseRulePacks(JSON.parse(JSON.stringify(DEFAULT_RULE_PACKS)))).toEqual(DEFAULT_RULE_PACKS);
    expect(() => parseRulePacks([{ id: 'x', name: 'x', version: '1', jurisdiction: 'x', rules: [{ category: 'hiv', sensitive: true, requirements: [] }] }])).toThrow(
      expect.objectContaining({ code: 'RULE_PACK_INVALID' }),
    );
    expect(() => parseRulePacks([...DEFAULT_RULE_PACKS, DEFAULT_RULE_PACKS[0]])).toThrow(expect.objectContaining({ code: 'RULE_PACK_INVALID' }));
  });
});

describe('calendar dates in compliance records', () => {
  it('refuses impossible dates in authorization and scope fields', async () => {
    const { CalendarDate } = await import('../../../src/shared/compliance');
    expect(CalendarDate.safeParse('2026-02-28').success).toBe(true);
    expect(CalendarDate.safeParse('2028-02-29').success).toBe(true);
    expect(CalendarDate.safeParse('2026-02-29').success).toBe(false);
    expect(CalendarDate.safeParse('2026-02-31').success).toBe(false);
    expect(CalendarDate.safeParse('2026-13-01').success).toBe(false);
  });
});
