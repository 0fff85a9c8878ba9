import type { ChannelName, StaffRoleT } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { CHANNEL_ROLES, MFA_ENROLLMENT_CHANNELS, ROLE_NAME } from '../../shared/roles';
import type { Handlers } from './dispatch';

export { CHANNEL_ROLES } from '../../shared/roles';

/** The signed-in session as the role layer sees it; null while locked or before setup. */
export interface SessionGate {
  /** The role the vault holds for the signed-in account now; null when it is no longer active (refused everywhere a role is needed). */
  role: StaffRoleT | null;
  /** The practice requires MFA and this account had none at unlock: only enrollment channels until it confirms. */
  mfaEnrollmentDue: boolean;
}

/**
 * Wrap every handler with the session's gate, before the handler runs:
 * 1. MFA enrollment (164.312(d)): while `mfaEnrollmentDue`, every channel outside MFA_ENROLLMENT_CHANNELS
 *    (src/shared/roles.ts) is refused with MFA_ENROLLMENT_REQUIRED, audited `rpc.mfa_enrollment_refused`;
 * 2. role (164.308(a)(4)): a channel listed in CHANNEL_ROLES (src/shared/roles.ts, the table the renderer also hides
 *    screens by) is refused for other roles with ROLE_NOT_PERMITTED, audited `rpc.role_refused`.
 * Both errors are PHI-free (they name roles and never data); the audit subject is the channel name.
 * @param who the signed-in gate, or null while locked; `refused` audits a refusal under `action`
 */
export function withRoles(
  handlers: Handlers,
  who: () => SessionGate | null,
  refused: (action: 'rpc.role_refused' | 'rpc.mfa_enrollment_refused', channel: ChannelName, e: AppError) => void,
): Handlers {
  const out = {} as Record<ChannelName, (i: unknown) => unknown>;
  for (const [name, h] of Object.entries(handlers) as Array<[ChannelName, (i: unknown) => unknown]>) {
    const allowed = CHANNEL_ROLES[name];
    const duringEnrollment = MFA_ENROLLMENT_CHANNELS.includes(name);
    out[name] = (input: unknown) => {
      const gate = who();
      if (gate?.mfaEnrollmentDue && !duringEnrollment) {
        const e = new AppError('MFA_ENROLLMENT_REQUIRED', 'Your practice requires two-step sign-in. Set it up first; then ReleaseDesk opens.');
        refused('rpc.mfa_enrollment_refused', name, e);
        throw e;
      }
      if (gate && allowed && (gate.role === null || !allowed.includes(gate.role))) {
        const e = new AppError('ROLE_NOT_PERMITTED', `Only ${allowed.map((r) => ROLE_NAME[r]).join(' or ')} can do this. Ask a colleague with that role.`, { role: gate.role ?? 'inactive' });
        refused('rpc.role_refused', name, e);
        throw e;
      }
      return h(input);
    };
  }
  return out as unknown as Handlers;
}
