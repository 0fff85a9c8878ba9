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
const STAFF: readonly StaffRoleT[] = ['administrator', 'privacy_officer', 'front_desk'];

/**
 * Which roles may call each channel while the vault is unlocked. The table is total: a channel added to the contract
 * does not compile until someone decides here who may call it (deny by default, 164.308(a)(4)(ii)(B)).
 *
 * - administrator: practice settings, staff accounts and the practice server — and everything else, except approving
 *   a release (the two-person rule needs a privacy officer who did not prepare it).
 * - privacy_officer: the audit log, audit reports and accountings, retention and legal holds, backups, approvals; also
 *   requests and releases (small practices), never approving a release they prepared (checked in accounts/approvals.ts).
 * - front_desk (STAFF): requests, authorizations, releases, documents, recipients, the outbox, reading settings and
 *   the dashboard — never the audit log (it names every patient and recipient the practice has disclosed to).
 *
 * While the vault is locked or not set up, no role applies: the services answer VAULT_LOCKED themselves, and setup
 * (which tests the SMTP server before any account exists) keeps working.
 */
export const CHANNEL_ROLES: Record<ChannelName, readonly StaffRoleT[]> = {
  'app.info': STAFF,

  'setup.checkPassphrase': STAFF,
  'setup.createVault': STAFF,

  'vault.unlock': STAFF,
  'vault.lock': STAFF,

  'accounts.me': STAFF,
  'accounts.list': ADMIN,
  'accounts.practiceStaff': ADMIN,
  'accounts.add': ADMIN,
  'accounts.deactivate': ADMIN,
  'accounts.resetPassphrase': ADMIN,
  'accounts.setRole': ADMIN,
  'accounts.changePassphrase': STAFF,
  'accounts.startMfa': STAFF,
  'accounts.confirmMfa': STAFF,

  'settings.getSecurity': STAFF,
  'settings.setSecurity': ADMIN,
  'settings.get': STAFF,
  'settings.smimeCertificate': STAFF,
  'settings.smimeCrls': STAFF,
  'settings.importSmimeCrl': ADMIN,
  'settings.createSmimeCertificate': ADMIN,
  'settings.importSmimeCertificate': ADMIN,
  'settings.setDelivery': ADMIN,
  'settings.getIdleLock': STAFF,
  'settings.setIdleLock': ADMIN,
  'settings.updateSmtp': ADMIN,
  'settings.testSmtp': ADMIN,
  'settings.getBounceMailbox': STAFF,
  'settings.updateBounceMailbox': ADMIN,
  'settings.testBounceMailbox': ADMIN,
  'settings.importPracticeKey': ADMIN,
  'settings.exportPracticeKey': ADMIN,
  'settings.updatePractice': ADMIN,

  'requests.create': STAFF,
  'requests.list': STAFF,
  'requests.get': STAFF,
  'requests.setStatus': STAFF,
  'requests.recordVerification': STAFF,
  'requests.extend': STAFF,
  'requests.deny': STAFF,
  'requests.denialNotice': STAFF,
  'requests.withdraw': STAFF,
  'requests.recordUnencryptedEmailChoice': STAFF,
  'requests.amend': STAFF,
  'requests.withdrawUnencryptedEmailChoice': STAFF,
  'requests.recordRepresentativeAuthority': STAFF,

  'authorizations.save': STAFF,
  'authorizations.revoke': STAFF,
  'authorizations.attachSignedForm': STAFF,
  'authorizations.form': STAFF,

  'part2Consents.save': STAFF,
  'part2Consents.revoke': STAFF,

  // The two-person rule needs a privacy officer who did not prepare the release (accounts/approvals.ts).
  'releases.approve': ['privacy_officer'],
  'releases.list': STAFF,
  'releases.create': STAFF,
  'releases.get': STAFF,
  'releases.setRecipient': STAFF,
  'releases.importRecipientCertificate': STAFF,
  'releases.confirmRecipientCertificate': STAFF,
  'releases.deliveryOptions': STAFF,
  'releases.send': STAFF,
  'releases.export': STAFF,
  'releases.printable': STAFF,
  'releases.outbox': STAFF,
  'releases.resolveUnconfirmed': STAFF,
  'releases.withdraw': STAFF,
  'releases.revealPassphrase': STAFF,
  'releases.passphraseGiven': STAFF,
  'releases.pauseQueue': STAFF,
  'releases.failureNotice': STAFF,
  'releases.evaluate': STAFF,
  'releases.overrideScope': STAFF,

  'documents.pick': STAFF,
  'documents.remove': STAFF,
  'documents.classify': STAFF,
  'documents.export': STAFF,
  'documents.checkPatient': STAFF,
  'documents.confirmPatient': STAFF,
  // A confirmed file that shows another patient needs a privacy officer (or administrator): documents/patient-check.ts.
  'documents.decidePatientConfirm': OFFICER,
  'documents.previewPage': STAFF,
  'documents.importDropped': STAFF,
  'documents.unlockPdf': STAFF,
  'documents.discardPending': STAFF,

  'recipients.checkEmail': STAFF,
  'recipients.inspectKey': STAFF,
  'recipients.addressStatus': STAFF,
  'recipients.sendCode': STAFF,
  'recipients.confirmCode': STAFF,

  'bounces.checkNow': STAFF,

  'audit.events': OFFICER,
  'audit.transmissions': OFFICER,
  'audit.verify': OFFICER,
  'audit.query': OFFICER,
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

  'retention.get': STAFF,
  'retention.setPolicy': OFFICER,
  'retention.placeHold': OFFICER,
  'retention.releaseHold': OFFICER,
  'retention.purge': OFFICER,

  'backup.create': OFFICER,
  'backup.restore': STAFF,

  'dashboard.get': STAFF,

  'practiceServer.status': STAFF,
  'practiceServer.test': ADMIN,
  'practiceServer.configure': ADMIN,
  'practiceServer.disconnect': ADMIN,
  'practiceServer.join': ADMIN,
  'practiceServer.sync': STAFF,
  'practiceServer.conflicts': STAFF,
  'practiceServer.resolveConflict': STAFF,
};

/** The roles allowed to call `channel`, or null when every signed-in staff member may. */
export function rolesFor(channel: ChannelName): readonly StaffRoleT[] | null {
  const allowed = CHANNEL_ROLES[channel];
  return allowed.length === STAFF.length ? null : allowed;
}

/**
 * Whether a signed-in account with `role` may call `channel` (the renderer shows a screen or an action only then).
 * @param role the signed-in role; null or undefined (not signed in, or unknown) may call only unrestricted channels
 */
export function roleMayCall(role: StaffRoleT | null | undefined, channel: ChannelName): boolean {
  const allowed = rolesFor(channel);
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
