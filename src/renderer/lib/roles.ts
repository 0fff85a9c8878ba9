/**
 * Screens and actions shown by role, from the same table main enforces (src/shared/roles.ts CHANNEL_ROLES): the
 * renderer shows a control only when the signed-in role may call the channel behind it, so staff never meet a button
 * that answers ROLE_NOT_PERMITTED. Main still refuses on its own; hiding is for clarity, not for safety.
 */
import type { ChannelName, StaffRoleT } from '../../shared/contract';
import { roleMayCall } from '../../shared/roles';
import { useAppStore, type Screen } from '../app/store';

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
