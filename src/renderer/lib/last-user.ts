/** localStorage key of the last sign-in name (a staff name, never PHI), to prefill the unlock screen. */
export const LAST_USER_KEY = 'releasedesk.lastUser';

/** The last name that signed in on this computer, or ''. */
export function lastUser(): string {
  try {
    return window.localStorage.getItem(LAST_USER_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Remember the signed-in staff member's name for the next unlock (after Lock or the idle lock). */
export function rememberUser(name: string): void {
  try {
    window.localStorage.setItem(LAST_USER_KEY, name);
  } catch {
    // storage unavailable: nothing to prefill next time
  }
}
