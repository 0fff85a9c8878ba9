/**
 * Who may change retention, legal holds and run a purge: the privacy officer (45 CFR 164.530(a)(1)).
 *
 * With staff accounts (issue #11) the retention service passes the signed-in account's role: a privacy officer or an
 * administrator may change retention; front desk may not.
 */
import { AppError } from '../../../shared/errors';

/** Who is asking (the session's actor name; roles when accounts exist). */
export interface RetentionActor {
  name: string;
  roles?: readonly string[];
}

/** Decides whether `actor` may change retention. */
export type PrivacyOfficerCheck = (actor: RetentionActor) => boolean;

/** Without roles: the signed-in person; with staff accounts (issue #11): the privacy officer or an administrator. */
export const defaultPrivacyOfficerCheck: PrivacyOfficerCheck = (actor) =>
  actor.roles === undefined ? true : actor.roles.includes('privacy_officer') || actor.roles.includes('administrator');

/** @throws AppError RETENTION_NOT_PERMITTED when `check` says no. */
export function requirePrivacyOfficer(check: PrivacyOfficerCheck, actor: RetentionActor): void {
  if (!check(actor)) throw new AppError('RETENTION_NOT_PERMITTED', 'Only the privacy officer can change retention or legal holds.');
}
