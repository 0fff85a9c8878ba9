/**
 * Who may call which channel: the one table that main (src/main/rpc/roles.ts refuses with ROLE_NOT_PERMITTED) and the
 * renderer (screens and actions hidden by role) both read, so they cannot disagree.
 *
 * Source: 45 CFR 164.308(a)(4)(ii)(B)-(C) access authorization and establishment; 164.312(a)(1) access control;
 * 164.312(d) person or entity authentication (the MFA enrollment gate below).
 */
import type { ChannelName, StaffRoleT } from './contract';

const ADMIN: readonly StaffRoleT[] = ['administrator'];
const OFFICER: readonly StaffRoleT[] = ['administrator', 'privacy_officer'];

/**
 * Which roles may call a channel while the vault is unlocked. Channels not listed are open to every signed-in staff
 * member (requests, releases, documents, recipients, authorizations, the outbox, reading settings and the dashboard).
 *
 * - administrator: practice settings and staff accounts — and everything else, except approving a release (the
 *   two-person rule needs a privacy officer who did not prepare it).
 * - privacy_officer: audit reports and accountings, retention and legal holds, backups, approvals; also requests and
 *   releases (small practices), never approving a release they prepared (checked in accounts/approvals.ts).
 * - front_desk: requests and releases.
 *
 * While the vault is locked or not set up, no role applies: the services answer VAULT_LOCKED themselves, and setup
 * (which tests the SMTP server before any account exists) keeps working.
 */
export const CHANNEL_ROLES: Partial<Record<ChannelName, readonly StaffRoleT[]>> = {
  'settings.setDelivery': ADMIN,
  'settings.updateSmtp': ADMIN,
  'settings.testSmtp': ADMIN,
  'settings.updateBounceMailbox': ADMIN,
  'settings.testBounceMailbox': ADMIN,
  'settings.updatePractice': ADMIN,
  'settings.exportPracticeKey': ADMIN,
  'settings.setSecurity': ADMIN,
  'settings.setIdleLock': ADMIN,
  'settings.importPracticeKey': ADMIN,
  'settings.createSmimeCertificate': ADMIN,
  'settings.importSmimeCertificate': ADMIN,
  'settings.importSmimeCrl': ADMIN,
  'accounts.list': ADMIN,
  'accounts.practiceStaff': ADMIN,
  'accounts.add': ADMIN,
  'accounts.deactivate': ADMIN,
  'accounts.resetPassphrase': ADMIN,
  'accounts.setRole': ADMIN,
  'audit.query': OFFICER,
  'audit.verify': OFFICER,
  'audit.verifyChain': OFFICER,
  'audit.checkReceipt': OFFICER,
  'audit.exportReport': OFFICER,
  'audit.patients': OFFICER,
  'audit.accounting': OFFICER,
  'audit.exportAccounting': OFFICER,
  'audit.accessReport': OFFICER,
  'audit.exportAccessReport': OFFICER,
  'audit.recordDisclosure': OFFICER,
  'audit.recordSuspension': OFFICER,
  'retention.setPolicy': OFFICER,
  'retention.placeHold': OFFICER,
  'retention.releaseHold': OFFICER,
  'retention.purge': OFFICER,
  'backup.create': OFFICER,
  'releases.approve': ['privacy_officer'],
  // The practice server (issue #17): administrators connect, test and disconnect; the status is open to all staff.
  'practiceServer.configure': ADMIN,
  'practiceServer.test': ADMIN,
  'practiceServer.disconnect': ADMIN,
  'practiceServer.join': ADMIN,
};

/** The roles allowed to call `channel`, or null when every signed-in staff member may. */
export function rolesFor(channel: ChannelName): readonly StaffRoleT[] | null {
  return CHANNEL_ROLES[channel] ?? null;
}

/**
 * Whether a signed-in account with `role` may call `channel` (the renderer shows a screen or an action only then).
 * @param role the signed-in role; null or undefined (not signed in, or unknown) may call only unrestricted channels
 */
export function roleMayCall(role: StaffRoleT | null | undefined, channel: ChannelName): boolean {
  const allowed = CHANNEL_ROLES[channel];
  if (!allowed) return true;
  return role !== null && role !== undefined && allowed.includes(role);
}

/** Plain role names for screens and the audit log. */
export const ROLE_LABEL: Record<StaffRoleT, string> = { administrator: 'Administrator', privacy_officer: 'Privacy officer', front_desk: 'Front desk' };

/** "an administrator", "a privacy officer", "front desk staff": for PHI-free refusal messages. */
export const ROLE_NAME: Record<StaffRoleT, string> = { administrator: 'an administrator', privacy_officer: 'a privacy officer', front_desk: 'front desk staff' };

/**
 * The only channels a session may call while the practice requires MFA and the signed-in account has not enrolled
 * yet (forced enrollment at unlock): read the app state and the own account, enroll (start, confirm), read the idle
 * lock time (the screen still locks by itself) and lock. Everything else is refused with MFA_ENROLLMENT_REQUIRED.
 */
export const MFA_ENROLLMENT_CHANNELS: readonly ChannelName[] = [
  'app.info',
  'vault.unlock',
  'vault.lock',
  'accounts.me',
  'accounts.startMfa',
  'accounts.confirmMfa',
  'settings.getIdleLock',
];
