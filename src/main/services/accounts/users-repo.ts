import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { StaffRoleT } from '../../../shared/contract';

/** A staff account as stored (users table, migration 11). The TOTP secret stays in main. */
export interface UserRow {
  id: string;
  name: string;
  role: StaffRoleT;
  active: boolean;
  createdAt: string;
  createdBy: string | null;
  deactivatedAt: string | null;
  passphraseChangedAt: string | null;
  /** RFC 6238 secret, base32; null when MFA is not enrolled. */
  mfaSecret: string | null;
  mfaEnrolledAt: string | null;
  /** Secret offered at enrollment, not yet confirmed with a code. */
  mfaPendingSecret: string | null;
  /** Last accepted TOTP time step (30-second counter), to refuse a replayed code. */
  mfaLastStep: number | null;
}

interface Raw {
  id: string;
  name: string;
  role: StaffRoleT;
  active: number;
  created_at: string;
  created_by: string | null;
  deactivated_at: string | null;
  passphrase_changed_at: string | null;
  mfa_secret: string | null;
  mfa_enrolled_at: string | null;
  mfa_pending_secret: string | null;
  mfa_last_step: number | null;
}

const map = (r: Raw): UserRow => ({
  id: r.id,
  name: r.name,
  role: r.role,
  active: r.active === 1,
  createdAt: r.created_at,
  createdBy: r.created_by,
  deactivatedAt: r.deactivated_at,
  passphraseChangedAt: r.passphrase_changed_at,
  mfaSecret: r.mfa_secret,
  mfaEnrolledAt: r.mfa_enrolled_at,
  mfaPendingSecret: r.mfa_pending_secret,
  mfaLastStep: r.mfa_last_step,
});

/** Insert a new active account. @throws SqliteError (UNIQUE) when the name is taken (case-insensitive). */
export function insertUser(db: Database, u: { id: string; name: string; role: StaffRoleT; createdAt: string; createdBy: string | null }): void {
  db.prepare('INSERT INTO users (id, name, role, active, created_at, created_by) VALUES (?, ?, ?, 1, ?, ?)').run(u.id, u.name, u.role, u.createdAt, u.createdBy);
}

/** One account by id. @returns null when unknown */
export function getUser(db: Database, id: string): UserRow | null {
  const r = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Raw | undefined;
  return r ? map(r) : null;
}

/** One account by sign-in name (case-insensitive). @returns null when unknown */
export function findUserByName(db: Database, name: string): UserRow | null {
  const r = db.prepare('SELECT * FROM users WHERE name = ? COLLATE NOCASE').get(name.trim()) as Raw | undefined;
  return r ? map(r) : null;
}

/** Every account, active first, then by name. */
export function listUsers(db: Database): UserRow[] {
  return (db.prepare('SELECT * FROM users ORDER BY active DESC, name COLLATE NOCASE').all() as Raw[]).map(map);
}

/** Number of active accounts with `role`. */
export function countActive(db: Database, role: StaffRoleT): number {
  return (db.prepare('SELECT count(*) AS n FROM users WHERE active = 1 AND role = ?').get(role) as { n: number }).n;
}

/** Give an account another role (administrator's change, audited by the caller). */
export function setUserRole(db: Database, id: string, role: StaffRoleT): void {
  db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, id);
}

/** Deactivate an account (kept for the audit log). */
export function deactivateUser(db: Database, id: string, at: string): void {
  db.prepare('UPDATE users SET active = 0, deactivated_at = ? WHERE id = ?').run(at, id);
}

/** Record when the account's passphrase last changed. */
export function markPassphraseChanged(db: Database, id: string, at: string): void {
  db.prepare('UPDATE users SET passphrase_changed_at = ? WHERE id = ?').run(at, id);
}

/** Store a TOTP secret offered for enrollment (not active until confirmed). */
export function setPendingMfaSecret(db: Database, id: string, secret: string | null): void {
  db.prepare('UPDATE users SET mfa_pending_secret = ? WHERE id = ?').run(secret, id);
}

/** Make the pending secret the account's MFA secret and replace its recovery codes with `codeHashes`. */
export function enrollMfa(db: Database, id: string, secret: string, step: number, at: string, codeHashes: string[]): void {
  db.prepare('UPDATE users SET mfa_secret = ?, mfa_pending_secret = NULL, mfa_enrolled_at = ?, mfa_last_step = ? WHERE id = ?').run(secret, at, step, id);
  db.prepare('DELETE FROM user_recovery_codes WHERE user_id = ?').run(id);
  const ins = db.prepare('INSERT INTO user_recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)');
  for (const h of codeHashes) ins.run(id, h, at);
}

/** Turn MFA off for an account (administrator reset): the secret and recovery codes are removed. */
export function clearMfa(db: Database, id: string): void {
  db.prepare('UPDATE users SET mfa_secret = NULL, mfa_pending_secret = NULL, mfa_enrolled_at = NULL, mfa_last_step = NULL WHERE id = ?').run(id);
  db.prepare('DELETE FROM user_recovery_codes WHERE user_id = ?').run(id);
}

/** Remember the last accepted TOTP time step. */
export function setMfaLastStep(db: Database, id: string, step: number): void {
  db.prepare('UPDATE users SET mfa_last_step = ? WHERE id = ?').run(step, id);
}

/**
 * Spend a recovery code: marks it used if it is unused.
 * @returns true when the code was unused and is now spent
 */
export function useRecoveryCode(db: Database, id: string, codeHash: string, at: string): boolean {
  return db.prepare('UPDATE user_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL').run(at, id, codeHash).changes === 1;
}

/** Unused recovery codes left for an account. */
export function recoveryCodesLeft(db: Database, id: string): number {
  return (db.prepare('SELECT count(*) AS n FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL').get(id) as { n: number }).n;
}

// ---- two-person rule (releases)

/** Record who prepared (created) a release. */
export function setReleasePreparer(db: Database, releaseId: string, userId: string | null): void {
  db.prepare('UPDATE releases SET prepared_by = ? WHERE id = ?').run(userId, releaseId);
}

/** The user who prepared a release; null for releases made before accounts. */
export function releasePreparer(db: Database, releaseId: string): string | null {
  return (db.prepare('SELECT prepared_by FROM releases WHERE id = ?').get(releaseId) as { prepared_by: string | null } | undefined)?.prepared_by ?? null;
}

/** Record a privacy officer's approval of a release as it stands (content digest). */
export function insertApproval(db: Database, a: { id: string; releaseId: string; approvedBy: string; approvedAt: string; contentDigest: string }): void {
  db.prepare('INSERT INTO release_approvals (id, release_id, approved_by, approved_at, content_digest) VALUES (?, ?, ?, ?, ?)').run(
    a.id,
    a.releaseId,
    a.approvedBy,
    a.approvedAt,
    a.contentDigest,
  );
}

/** The newest approval of a release, with the approver's name. @returns null when never approved */
export function latestApproval(db: Database, releaseId: string): { approvedBy: string; approverName: string; approvedAt: string; contentDigest: string } | null {
  const r = db
    .prepare(
      `SELECT a.approved_by, u.name, a.approved_at, a.content_digest FROM release_approvals a JOIN users u ON u.id = a.approved_by
       WHERE a.release_id = ? AND a.content_digest NOT LIKE 'patient-confirm:%' ORDER BY a.approved_at DESC, a.rowid DESC LIMIT 1`,
    )
    .get(releaseId) as { approved_by: string; name: string; approved_at: string; content_digest: string } | undefined;
  return r ? { approvedBy: r.approved_by, approverName: r.name, approvedAt: r.approved_at, contentDigest: r.content_digest } : null;
}

/**
 * The `release_approvals` row of a privacy officer's decision on a confirmed file that shows another patient: its
 * content_digest is `patient-confirm:<documentId>:approved|declined` (so the two-person rule's latestApproval above
 * never reads it). Rows are never changed or deleted; the newest decision per file counts.
 */
export function insertPatientConfirmDecision(db: Database, d: { id: string; releaseId: string; documentId: string; decision: 'approved' | 'declined'; by: string; at: string }): void {
  insertApproval(db, { id: d.id, releaseId: d.releaseId, approvedBy: d.by, approvedAt: d.at, contentDigest: `patient-confirm:${d.documentId}:${d.decision}` });
}

/** The newest officer decision per file of the release (documentId → approved | declined, with who and when). */
export function patientConfirmDecisions(db: Database, releaseId: string): Map<string, { decision: 'approved' | 'declined'; by: string; at: string }> {
  const rows = db
    .prepare(
      `SELECT content_digest, approved_by, approved_at FROM release_approvals WHERE release_id = ? AND content_digest LIKE 'patient-confirm:%'
       ORDER BY approved_at, rowid`,
    )
    .all(releaseId) as { content_digest: string; approved_by: string; approved_at: string }[];
  const out = new Map<string, { decision: 'approved' | 'declined'; by: string; at: string }>();
  for (const r of rows) {
    const [, documentId, decision] = r.content_digest.split(':');
    if (documentId && (decision === 'approved' || decision === 'declined')) out.set(documentId, { decision, by: r.approved_by, at: r.approved_at });
  }
  return out;
}

/**
 * What an approval covers: the release's record files (SHA-256, in order) and its recipient (address and key),
 * as one SHA-256 input list. A change to either after approval needs a new approval.
 */
export function approvalMaterial(db: Database, releaseId: string): string[] {
  const docs = db.prepare("SELECT sha256 FROM documents WHERE release_id = ? AND kind = 'record' ORDER BY position").all(releaseId) as { sha256: string }[];
  const rec = db.prepare('SELECT recipient_email, recipient_key_armored FROM releases WHERE id = ?').get(releaseId) as
    | { recipient_email: string | null; recipient_key_armored: string | null }
    | undefined;
  return [...docs.map((d) => d.sha256), `to:${rec?.recipient_email ?? ''}`, `key:${rec?.recipient_key_armored ?? ''}`];
}

// ---- practice-wide accounts (practice staff directory, issue #17)

/**
 * Make or update the local row of a practice-wide account as the practice staff directory has it (same id on every
 * workstation): name, role, active flag and TOTP secret. A new TOTP secret clears the last accepted step.
 */
export function putDirectoryUser(
  db: Database,
  u: { id: string; name: string; role: StaffRoleT; active: boolean; mfaSecret: string | null; mfaEnrolledAt: string | null; createdAt: string; at: string },
): void {
  const cur = getUser(db, u.id);
  if (!cur) {
    db.prepare('INSERT INTO users (id, name, role, active, created_at, created_by, deactivated_at, mfa_secret, mfa_enrolled_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)').run(
      u.id,
      u.name,
      u.role,
      u.active ? 1 : 0,
      u.createdAt,
      u.active ? null : u.at,
      u.mfaSecret,
      u.mfaEnrolledAt,
    );
    return;
  }
  const mfaChanged = cur.mfaSecret !== u.mfaSecret;
  db.prepare(
    `UPDATE users SET role = ?, active = ?, deactivated_at = CASE WHEN ? = 1 THEN NULL ELSE coalesce(deactivated_at, ?) END,
       mfa_secret = ?, mfa_enrolled_at = ?, mfa_last_step = CASE WHEN ? = 1 THEN NULL ELSE mfa_last_step END WHERE id = ?`,
  ).run(u.role, u.active ? 1 : 0, u.active ? 1 : 0, u.at, u.mfaSecret, u.mfaEnrolledAt, mfaChanged ? 1 : 0, u.id);
}
