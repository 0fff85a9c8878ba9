/**
 * Retention periods and when an item expires, in calendar days of the practice's time zone.
 *
 * - Documentation a covered entity must keep (authorizations, forms, notices, evidence of a representative's
 *   authority) is kept at least six years from the date of its creation or the date when it last was in effect,
 *   whichever is later (45 CFR 164.530(j)(2); 164.508(b)(6)).
 * - Record files copied into ReleaseDesk for a release are not the designated record set (that stays in the EHR);
 *   the practice chooses how many days after a release is completed they are kept (`recordFileDays`).
 * - The audit log is kept at least six years (164.316(b)(2)(i)); ReleaseDesk never deletes audit events.
 */
import { DateTime } from 'luxon';
import { RETENTION_MINIMUM_YEARS, type RetentionPolicy } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { addDays } from '../compliance/dates';
import type { z } from 'zod';

export type RetentionPolicyT = z.output<typeof RetentionPolicy>;

/** The policy shown before the practice saves one: six years, record files kept, a weekly backup reminder. */
export const DEFAULT_RETENTION: RetentionPolicyT = { documentationYears: 6, recordFileDays: null, auditYears: 6, backupReminderDays: 7 };

/**
 * Refuse a policy below the regulatory minimums.
 * @throws AppError RETENTION_TOO_SHORT (detail: field, minimum) when documentation or audit years are below 6
 * @source 45 CFR 164.530(j)(2); 164.316(b)(2)(i)
 */
export function assertPolicy(p: RetentionPolicyT): void {
  for (const field of ['documentationYears', 'auditYears'] as const) {
    if (p[field] < RETENTION_MINIMUM_YEARS) {
      throw new AppError(
        'RETENTION_TOO_SHORT',
        `${field === 'documentationYears' ? 'Documentation' : 'The audit log'} must be kept at least ${RETENTION_MINIMUM_YEARS} years (45 CFR 164.530(j)).`,
        { field, minimum: RETENTION_MINIMUM_YEARS },
      );
    }
  }
}

/** `date` (YYYY-MM-DD) plus `years` calendar years (Feb 29 becomes Feb 28 in a common year). */
export function addYears(date: string, years: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ years }).toISODate()!;
}

/**
 * The first calendar day on which a completed release's record files may be purged: the completion day plus
 * `recordFileDays`. On the day before, they are kept; on this day, the purge removes them.
 * @param completedOn the release's completion day (YYYY-MM-DD, practice time zone)
 * @returns YYYY-MM-DD, or null when the policy keeps record files (recordFileDays null)
 */
export function recordFileExpiry(completedOn: string, policy: RetentionPolicyT): string | null {
  return policy.recordFileDays === null ? null : addDays(completedOn, policy.recordFileDays);
}

/**
 * The first calendar day on which documentation may be purged: `documentationYears` after the later of its creation
 * day and the day it was last in effect (164.530(j)(2)).
 * @param createdOn creation day (YYYY-MM-DD)
 * @param lastEffectiveOn last day in effect (YYYY-MM-DD), e.g. an authorization's expiration or revocation day
 */
export function documentationExpiry(createdOn: string, lastEffectiveOn: string | null, policy: RetentionPolicyT): string {
  const from = lastEffectiveOn && lastEffectiveOn > createdOn ? lastEffectiveOn : createdOn;
  return addYears(from, policy.documentationYears);
}

/** True when an item whose retention ends at `expiresOn` may be purged on `today` (both YYYY-MM-DD). */
export function isExpired(expiresOn: string | null, today: string): boolean {
  return expiresOn !== null && today >= expiresOn;
}
