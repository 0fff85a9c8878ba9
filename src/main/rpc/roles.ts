import type { ChannelName, StaffRoleT } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { INACTIVE_ACCOUNT_CHANNELS, MFA_ENROLLMENT_CHANNELS, ROLE_NAME, rolesFor } from '../../shared/roles';
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
 * 0. an account no longer active (deactivated while signed in, here or through a practice sync): every channel
 *    outside INACTIVE_ACCOUNT_CHANNELS is refused with ACCOUNT_INACTIVE, audited `rpc.role_refused`, and the session
 *    is locked at once (`lockInactive`; 164.308(a)(3)(ii)(C) termination procedures);
 * 1. MFA enrollment (164.312(d)): while `mfaEnrollmentDue`, every channel outside MFA_ENROLLMENT_CHANNELS
 *    (src/shared/roles.ts) is refused with MFA_ENROLLMENT_REQUIRED, audited `rpc.mfa_enrollment_refused`;
 * 2. role (164.308(a)(4)): a channel that CHANNEL_ROLES (src/shared/roles.ts, the table the renderer also hides
 *    screens by) limits to some roles is refused for other roles with ROLE_NOT_PERMITTED, audited `rpc.role_refused`.
 * Both errors are PHI-free (they name roles and never data); the audit subject is the channel name.
 * @param who the signed-in gate, or null while locked; `refused` audits a refusal under `action`; `lockInactive`
 *   locks the session after an inactive account's refusal was audited
 */
export function withRoles(
  handlers: Handlers,
  who: () => SessionGate | null,
  refused: (action: 'rpc.role_refused' | 'rpc.mfa_enrollment_refused', channel: ChannelName, e: AppError) => void,
  lockInactive: () => void = () => undefined,
): Handlers {
  const check = (name: ChannelName): void => {
    const gate = who();
    if (gate && gate.role === null && !INACTIVE_ACCOUNT_CHANNELS.includes(name)) {
      const e = new AppError('ACCOUNT_INACTIVE', 'This staff account is no longer active, so ReleaseDesk has locked. Ask your administrator.', { role: 'inactive' });
      refused('rpc.role_refused', name, e);
      lockInactive();
      throw e;
    }
    if (gate?.mfaEnrollmentDue && !MFA_ENROLLMENT_CHANNELS.includes(name)) {
      const e = new AppError('MFA_ENROLLMENT_REQUIRED', 'Your practice requires two-step sign-in. Set it up first; then ReleaseDesk opens.');
      refused('rpc.mfa_enrollment_refused', name, e);
      throw e;
    }
    const allowed = rolesFor(name);
    if (gate && allowed && (gate.role === null || !allowed.includes(gate.role))) {
      const e = new AppError('ROLE_NOT_PERMITTED', `Only ${allowed.map((r) => ROLE_NAME[r]).join(' or ')} can do this. Ask a colleague with that role.`, { role: gate.role ?? 'inactive' });
      refused('rpc.role_refused', name, e);
      throw e;
    }
  };
  const out = {} as Record<ChannelName, (i: unknown) => unknown>;
  for (const [name, h] of Object.entries(handlers) as Array<[ChannelName, (i: unknown) => unknown]>) {
    out[name] = (input: unknown) => {
      check(name);
      return h(input);
    };
  }
  const gated = out as unknown as Handlers;
  GATES.set(gated, check);
  return gated;
}

const GATES = new WeakMap<Handlers, (channel: ChannelName) => void>();

/**
 * The session gate of handlers made by {@link withRoles}, for the dispatcher to run BEFORE it reads the input: a
 * caller without the role learns nothing about a channel's fields and is audited `rpc.role_refused`, not
 * `rpc.input_refused`. Undefined for handlers without a gate (unit tests of the dispatcher). Throws the gate's
 * AppError (ROLE_NOT_PERMITTED, MFA_ENROLLMENT_REQUIRED).
 */
export function gateOf(handlers: Handlers): ((channel: ChannelName) => void) | undefined {
  return GATES.get(handlers);
}
