import type { ChannelName, StaffRoleT } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { Handlers } from './dispatch';

const ADMIN: readonly StaffRoleT[] = ['administrator'];
const OFFICER: readonly StaffRoleT[] = ['administrator', 'privacy_officer'];

/**
 * Which roles may call a channel while the vault is unlocked (45 CFR 164.308(a)(4) access authorization; 164.312(a)(1)
 * access control). Channels not listed are open to every signed-in staff member (requests, releases, documents,
 * recipients, authorizations, the outbox, reading settings and the dashboard).
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
  'accounts.add': ADMIN,
  'accounts.deactivate': ADMIN,
  'accounts.resetPassphrase': ADMIN,
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
};

const ROLE_NAME: Record<StaffRoleT, string> = { administrator: 'an administrator', privacy_officer: 'a privacy officer', front_desk: 'front desk staff' };

/**
 * Wrap every handler with its role check. A refusal is coded ROLE_NOT_PERMITTED (PHI-free) and audited as
 * `rpc.role_refused` with the channel name.
 * @param who the signed-in role, or null while locked; `refused` audits a refusal
 */
export function withRoles(handlers: Handlers, who: () => StaffRoleT | null, refused: (channel: ChannelName, e: AppError) => void): Handlers {
  const out = {} as Record<ChannelName, (i: unknown) => unknown>;
  for (const [name, h] of Object.entries(handlers) as Array<[ChannelName, (i: unknown) => unknown]>) {
    const allowed = CHANNEL_ROLES[name];
    out[name] = allowed
      ? (input: unknown) => {
          const role = who();
          if (role !== null && !allowed.includes(role)) {
            const e = new AppError('ROLE_NOT_PERMITTED', `Only ${allowed.map((r) => ROLE_NAME[r]).join(' or ')} can do this. Ask a colleague with that role.`, { role });
            refused(name, e);
            throw e;
          }
          return h(input);
        }
      : h;
  }
  return out as unknown as Handlers;
}
