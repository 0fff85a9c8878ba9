/**
 * Who may change retention, legal holds and run a purge: the privacy officer (45 CFR 164.530(a)(1)).
 *
 * Until staff accounts with roles exist, the one person signed in to the vault is the practice's administrator
 * and counts as the privacy officer. When accounts land, pass a check that reads the signed-in user's role.
 */
import { AppError } from '../../../shared/errors';

/** Who is asking (the session's actor name; roles when accounts exist). */
export interface RetentionActor {
  name: string;
  roles?: readonly string[];
}

/** Decides whether `actor` may change retention. */
export type PrivacyOfficerCheck = (actor: RetentionActor) => boolean;

/** Single-user vaults: the signed-in person; with roles, only the 'privacy_officer' role. */
export const defaultPrivacyOfficerCheck: PrivacyOfficerCheck = (actor) => (actor.roles === undefined ? true : actor.roles.includes('privacy_officer'));

/** @throws AppError RETENTION_NOT_PERMITTED when `check` says no. */
export function requirePrivacyOfficer(check: PrivacyOfficerCheck, actor: RetentionActor): void {
  if (!check(actor)) throw new AppError('RETENTION_NOT_PERMITTED', 'Only the privacy officer can change retention or legal holds.');
}
