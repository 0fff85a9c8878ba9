import { AppError } from '../../../shared/errors';
import { addDays, daysBetween, localDate } from './dates';
import { ACCESS_BASES, finding, type Extension, type Finding, type ReleaseRequest } from './types';

/** Days to act on a right-of-access request, 45 CFR 164.524(b)(2)(i). */
export const ACCESS_DAYS = 30;
/** Maximum total days with the one extension, 45 CFR 164.524(b)(2)(ii)-(iii). */
export const ACCESS_DAYS_EXTENDED = 60;
/** Warn this many days (or fewer) before the due date. */
export const DEFAULT_WARN_DAYS = 5;

export type ClockState = 'open' | 'due_soon' | 'due_today' | 'overdue';

/** Where a right-of-access request stands on its clock (all dates `YYYY-MM-DD`, practice time zone). */
export interface AccessClock {
  /** Day 0: the calendar date of receipt. */
  receivedDate: string;
  /** Today's day number (0 on the day of receipt). */
  day: number;
  /** Day 30. */
  dueDate: string;
  /** The extension's date if one was given, else {@link dueDate}. */
  effectiveDueDate: string;
  extended: boolean;
  /** Calendar days left until the effective due date (0 on it, negative when overdue). */
  daysRemaining: number;
  state: ClockState;
}

/**
 * Due date of a right-of-access request: received + 30 calendar days.
 *
 * The day of receipt (its calendar date in `timeZone`) is day 0 and the due
 * date is day 30; no weekend or holiday roll-forward (45 CFR 164.524(b)(2)(i)).
 * @param receivedAt instant of receipt (ISO-8601 with offset)
 * @param timeZone practice IANA zone, e.g. 'America/New_York'
 * @returns `YYYY-MM-DD`
 * @throws AppError VALIDATION_FAILED on an invalid instant or zone
 */
export function accessDueDate(receivedAt: string, timeZone: string): string {
  return addDays(localDate(receivedAt, timeZone), ACCESS_DAYS);
}

/**
 * The clock of a request at instant `now` (45 CFR 164.524(b)(2)).
 * State: 'overdue' after the effective due date, 'due_today' on it, 'due_soon'
 * within `warnDays` before it, else 'open'. Overdue is for warnings only.
 * @throws AppError VALIDATION_FAILED on an invalid instant or zone
 */
export function accessClock(request: Pick<ReleaseRequest, 'receivedAt' | 'extensions'>, now: Date, timeZone: string, warnDays = DEFAULT_WARN_DAYS): AccessClock {
  const receivedDate = localDate(request.receivedAt, timeZone);
  const today = localDate(now, timeZone);
  const dueDate = addDays(receivedDate, ACCESS_DAYS);
  const ext = request.extensions[0];
  const effectiveDueDate = ext ? ext.newDueDate : dueDate;
  const daysRemaining = daysBetween(today, effectiveDueDate);
  const state: ClockState = daysRemaining < 0 ? 'overdue' : daysRemaining === 0 ? 'due_today' : daysRemaining <= warnDays ? 'due_soon' : 'open';
  return { receivedDate, day: daysBetween(receivedDate, today), dueDate, effectiveDueDate, extended: ext !== undefined, daysRemaining, state };
}

/**
 * Grant the one extension of a right-of-access request.
 *
 * Rules (45 CFR 164.524(b)(2)(ii)-(iii)): only for access bases; only one;
 * only while the first 30 days run (today ≤ day 30, practice time zone); with
 * a written reason; the new date is after day 30 and at most day 60.
 * The caller then produces the written notice (documents/extension-notice.ts).
 * @param now instant of the decision; the notice date is its local calendar date
 * @returns the Extension to store on the request
 * @throws AppError EXTENSION_REFUSED (detail.rule: 'not_access' | 'second_extension' | 'after_day_30' | 'reason_required' | 'date_not_after_due' | 'date_after_day_60')
 */
export function grantExtension(
  request: Pick<ReleaseRequest, 'basis' | 'receivedAt' | 'extensions'>,
  input: { reason: string; newDueDate: string },
  now: Date,
  timeZone: string,
): Extension {
  const refuse = (rule: string, message: string): never => {
    throw new AppError('EXTENSION_REFUSED', message, { rule, citation: '45 CFR 164.524(b)(2)(ii)' });
  };
  if (!(ACCESS_BASES as readonly string[]).includes(request.basis)) refuse('not_access', 'Only right-of-access requests have the 30-day clock and its extension.');
  if (request.extensions.length > 0) refuse('second_extension', 'This request was already extended once; a second extension is not allowed.');
  const clock = accessClock({ ...request, extensions: [] }, now, timeZone);
  if (clock.day > ACCESS_DAYS) refuse('after_day_30', 'An extension must be given within the first 30 days; that period has ended.');
  const reason = input.reason.trim();
  if (reason.length === 0) refuse('reason_required', 'The extension notice must state the reason for the delay.');
  const newDay = daysBetween(clock.receivedDate, input.newDueDate);
  if (Number.isNaN(newDay) || newDay <= ACCESS_DAYS) refuse('date_not_after_due', 'The new date must be later than the original due date.');
  if (newDay > ACCESS_DAYS_EXTENDED) refuse('date_after_day_60', 'The new date may be at most 30 days after the original due date.');
  return { noticeDate: localDate(now, timeZone), reason, newDueDate: input.newDueDate };
}

/**
 * Clock findings for a release (warnings only: overdue never blocks a release
 * that is still owed). Empty for bases without the 164.524 clock.
 */
export function clockFindings(request: ReleaseRequest, now: Date, timeZone: string, warnDays = DEFAULT_WARN_DAYS): Finding[] {
  if (!(ACCESS_BASES as readonly string[]).includes(request.basis)) return [];
  const c = accessClock(request, now, timeZone, warnDays);
  const cite = c.extended ? '45 CFR 164.524(b)(2)(ii)' : '45 CFR 164.524(b)(2)(i)';
  if (c.state === 'overdue')
    return [finding('ACCESS_OVERDUE', 'warn', cite, `This request is overdue by ${-c.daysRemaining} day(s) (due ${c.effectiveDueDate}). Send it as soon as possible.`)];
  if (c.state === 'due_today') return [finding('ACCESS_DUE_TODAY', 'warn', cite, `This request is due today (${c.effectiveDueDate}).`)];
  if (c.state === 'due_soon') return [finding('ACCESS_DUE_SOON', 'warn', cite, `This request is due in ${c.daysRemaining} day(s) (${c.effectiveDueDate}).`)];
  return [];
}
