import { DateTime } from 'luxon';
import { AppError } from '../../../shared/errors';

/**
 * Calendar-day helpers in the practice's IANA time zone (luxon).
 * All calendar dates are `YYYY-MM-DD` strings; all instants are `Date`s.
 */

/** Throws VALIDATION_FAILED when `timeZone` is not a valid IANA zone name. */
export function assertZone(timeZone: string): void {
  if (!DateTime.now().setZone(timeZone).isValid) throw new AppError('VALIDATION_FAILED', 'The practice time zone is not a valid IANA time zone.');
}

/** The calendar date (`YYYY-MM-DD`) of instant `at` in `timeZone`. @throws AppError VALIDATION_FAILED on a bad zone */
export function localDate(at: Date | string, timeZone: string): string {
  assertZone(timeZone);
  const dt = typeof at === 'string' ? DateTime.fromISO(at, { setZone: true }) : DateTime.fromJSDate(at);
  if (!dt.isValid) throw new AppError('VALIDATION_FAILED', 'A date-time value is not valid ISO-8601.');
  return dt.setZone(timeZone).toISODate()!;
}

/** `date` plus `days` calendar days (no time-of-day involved, so DST cannot shift it). */
export function addDays(date: string, days: number): string {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  if (!d.isValid) throw new AppError('VALIDATION_FAILED', 'A calendar date is not valid (expected YYYY-MM-DD).');
  return d.plus({ days }).toISODate()!;
}

/** Whole calendar days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  const da = DateTime.fromISO(a, { zone: 'UTC' });
  const db = DateTime.fromISO(b, { zone: 'UTC' });
  if (!da.isValid || !db.isValid) throw new AppError('VALIDATION_FAILED', 'A calendar date is not valid (expected YYYY-MM-DD).');
  return Math.round(db.diff(da, 'days').days);
}

/** The last instant (exclusive end) of calendar day `date` in `timeZone`: the start of the next local day. */
export function endOfLocalDay(date: string, timeZone: string): Date {
  assertZone(timeZone);
  return DateTime.fromISO(date, { zone: timeZone }).plus({ days: 1 }).startOf('day').toJSDate();
}
