/** The `accounts.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { Id, Empty } from '../schemas/common';
import { StaffRole, StaffAccount, StaffName, Passphrase, MfaCode, AccountSelf, MfaEnrollment, RecoveryCodes, PracticeStaffView } from '../schemas/accounts';
import type { ChannelMap } from './spec';

export const accountsChannels = {
  /** The signed-in account, its recovery codes left and whether the practice requires MFA. */
  'accounts.me': {
    input: Empty,
    output: AccountSelf,
  },
  /** Every staff account (administrator). */
  'accounts.list': { input: Empty, output: z.array(StaffAccount) },
  /**
   * Which accounts are practice-wide and where each has signed in (administrator; from this workstation's last sync
   * with the practice server; every account is local when the workstation is not joined).
   */
  'accounts.practiceStaff': { input: Empty, output: PracticeStaffView },
  /** Add a staff account with an initial passphrase (administrator). Audited `user.create`. @throws USER_EXISTS | WEAK_PASSPHRASE */
  'accounts.add': { input: z.object({ name: StaffName, role: StaffRole, passphrase: Passphrase }).strict(), output: StaffAccount },
  /** Deactivate an account: its wrapped key is removed, so it can no longer unlock (administrator). Audited. */
  'accounts.deactivate': { input: z.object({ userId: Id }).strict(), output: StaffAccount },
  /** Set a new passphrase for an account, and optionally turn its MFA off (administrator). Audited. */
  'accounts.resetPassphrase': { input: z.object({ userId: Id, passphrase: Passphrase, resetMfa: z.boolean().default(false) }).strict(), output: StaffAccount },
  /**
   * Change the role of another active account (administrator). Audited `user.role_change` (who: the actor; whose: the
   * subject; detail from → to). @throws ROLE_CHANGE_SELF | LAST_ADMINISTRATOR | ACCOUNT_INACTIVE | NOT_FOUND
   */
  'accounts.setRole': { input: z.object({ userId: Id, role: StaffRole }).strict(), output: StaffAccount },
  /** Change your own passphrase (the current one is checked). Audited. @throws WRONG_PASSPHRASE | WEAK_PASSPHRASE */
  'accounts.changePassphrase': {
    input: z.object({ current: z.object({ passphrase: Passphrase }).strict(), next: z.object({ passphrase: Passphrase }).strict() }).strict(),
    output: Empty,
  },
  /** Start MFA enrollment: a new TOTP secret and its otpauth:// URI (shown as a QR code). */
  'accounts.startMfa': { input: Empty, output: MfaEnrollment },
  /** Confirm enrollment with a code from the app; returns 10 one-time recovery codes, shown once. @throws MFA_INVALID */
  'accounts.confirmMfa': { input: z.object({ code: MfaCode }).strict(), output: RecoveryCodes },
} as const satisfies ChannelMap;
