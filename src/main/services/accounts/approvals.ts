import type { Database } from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import type { Finding } from '../../../shared/compliance';
import { AppError } from '../../../shared/errors';
import { getRequest } from '../requests/repo';
import { releaseState, requireEditable } from '../releases/repo';
import type { Session } from '../session';
import { securitySettings } from '../settings/settings';
import { newId } from '../support/ids';
import { approvalMaterial, insertApproval, latestApproval, releasePreparer } from './users-repo';

/** The gate finding of the two-person rule (blocks sending, exporting and printing). */
export const APPROVAL_REQUIRED = 'APPROVAL_REQUIRED';

/** Where the rule comes from: access authorization and safeguards against an unchecked disclosure. */
const CITATION = '45 CFR 164.308(a)(4), 164.530(c)';

/** SHA-256 (hex) of what an approval covers: the record files and the recipient (users-repo approvalMaterial). */
export function approvalDigest(db: Database, releaseId: string): string {
  return createHash('sha256').update(JSON.stringify(approvalMaterial(db, releaseId))).digest('hex');
}

/**
 * Whether the two-person rule applies to a release: the practice setting is on and the release discloses to a
 * third party under an authorization (legal basis 'authorization', 45 CFR 164.508).
 */
export function approvalApplies(db: Database, releaseId: string): boolean {
  if (!securitySettings(db).twoPersonRule) return false;
  const { requestId } = releaseState(db, releaseId);
  if (!requestId) return false;
  return getRequest(db, requestId).request.basis === 'authorization';
}

/**
 * The gate's finding for the two-person rule: null when the rule does not apply or a privacy officer approved the
 * release as it is now; a blocking APPROVAL_REQUIRED finding otherwise (also when it changed after approval).
 */
export function approvalFinding(db: Database, releaseId: string): Finding | null {
  if (!approvalApplies(db, releaseId)) return null;
  const a = latestApproval(db, releaseId);
  if (a && a.contentDigest === approvalDigest(db, releaseId)) return null;
  return {
    code: APPROVAL_REQUIRED,
    severity: 'block',
    citation: CITATION,
    message: a
      ? 'Needs approval by a privacy officer: the record files or the recipient changed after it was approved.'
      : 'Needs approval by a privacy officer before it can be sent (two-person rule). A privacy officer other than the person who prepared it signs in and approves it.',
  };
}

/** Who approved the release as it is now: the approver's name and when; null when not (validly) approved. */
export function currentApproval(db: Database, releaseId: string): { approverName: string; approvedAt: string } | null {
  const a = latestApproval(db, releaseId);
  return a && a.contentDigest === approvalDigest(db, releaseId) ? { approverName: a.approverName, approvedAt: a.approvedAt } : null;
}

/**
 * Approve a release under the two-person rule, as the signed-in privacy officer, who must not be the person who
 * prepared it. Audited `release.approve` (detail: approver and preparer ids, the content digest) in the same
 * transaction; a refusal is audited too.
 * @throws AppError APPROVAL_NOT_NEEDED (rule off or not a third-party authorization release) | APPROVAL_NOT_PERMITTED
 *   (not a privacy officer, or the preparer) | RELEASE_ALREADY_SENT and other not-editable states
 */
export function approveRelease(session: Session, releaseId: string): void {
  session.audited(
    'release.approve',
    { type: 'release', id: releaseId },
    (v) => {
      const me = session.requireUser();
      requireEditable(v.db, releaseId);
      if (!approvalApplies(v.db, releaseId)) throw new AppError('APPROVAL_NOT_NEEDED', 'This release does not need a second person’s approval.');
      if (me.role !== 'privacy_officer') throw new AppError('APPROVAL_NOT_PERMITTED', 'Only a privacy officer can approve a release.');
      const preparer = releasePreparer(v.db, releaseId);
      if (preparer === me.id) throw new AppError('APPROVAL_NOT_PERMITTED', 'You prepared this release. Another privacy officer must approve it.');
      const digest = approvalDigest(v.db, releaseId);
      insertApproval(v.db, { id: newId(), releaseId, approvedBy: me.id, approvedAt: session.clock.now().toISOString(), contentDigest: digest });
      return { approverId: me.id, preparerId: preparer ?? 'unknown', digest };
    },
    (r) => r,
  );
}
