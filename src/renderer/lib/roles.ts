/**
 * Screens and actions shown by role, from the same table main enforces (src/shared/roles.ts CHANNEL_ROLES): the
 * renderer shows a control only when the signed-in role may call the channel behind it, so staff never meet a button
 * that answers ROLE_NOT_PERMITTED. Main still refuses on its own; hiding is for clarity, not for safety.
 */
import { CHANNEL_NAMES, type ChannelName, type StaffRoleT } from '../../shared/contract';
import { roleMayCall, rolesFor } from '../../shared/roles';
import { useAppStore, type Screen } from './navigation';

/** The signed-in role (null while locked or unknown). */
export function useRole(): StaffRoleT | null {
  return useAppStore((s) => s.info?.user?.role ?? null);
}

/** Whether the signed-in role may call `channel` (re-renders when the role changes). */
export function useMayCall(channel: ChannelName): boolean {
  return useAppStore((s) => roleMayCall(s.info?.user?.role, channel));
}

/** The channel a screen needs before it is offered (the audit log: audit.query); other screens are open to every role. */
const SCREEN_CHANNEL: Partial<Record<Screen['name'], ChannelName>> = { audit: 'audit.query' };

/** Whether `role` may open the screen named `screen`. */
export function mayOpen(role: StaffRoleT | null | undefined, screen: Screen['name']): boolean {
  const c = SCREEN_CHANNEL[screen];
  return c ? roleMayCall(role, c) : true;
}

/**
 * Whether `role` can act on a dashboard target: open its screen and, when the target names the channel its fix needs
 * (`needs`), call that channel. When not, {@link whomToAsk} says whom to tell instead.
 */
export function mayFix(role: StaffRoleT | null | undefined, target: { screen: Screen['name']; needs?: string | undefined }): boolean {
  if (!mayOpen(role, target.screen)) return false;
  const needs = target.needs;
  return needs === undefined || !(CHANNEL_NAMES as readonly string[]).includes(needs) || roleMayCall(role, needs as ChannelName);
}

/** Whom staff who may not make a fix should tell: "Tell your privacy officer." or "Tell an administrator.". */
export function whomToAsk(target: { needs?: string | undefined }): string {
  const roles = target.needs && (CHANNEL_NAMES as readonly string[]).includes(target.needs) ? rolesFor(target.needs as ChannelName) : null;
  return roles && !roles.includes('privacy_officer') ? 'Tell an administrator.' : 'Tell your privacy officer.';
}
