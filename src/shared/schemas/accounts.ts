/**
 * Staff accounts, roles, MFA and the practice's security settings (45 CFR 164.308(a)(4), 164.312(d)).
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { line } from '../text-rules';
import { Id, IsoDateTime, VaultState } from './common';

/**
 * A staff member's role (164.308(a)(4) access authorization): administrator (settings, staff accounts, and everything
 * else except approving a release they prepared), privacy officer (approvals, audit reports, retention; may also work
 * requests and releases), front desk (requests and releases). See src/shared/roles.ts for the channel table.
 */
export const StaffRole = z.enum(['administrator', 'privacy_officer', 'front_desk']);
export type StaffRoleT = z.infer<typeof StaffRole>;

/** A staff account as shown (never a passphrase, wrapped key or MFA secret). */
export const StaffAccount = z.object({
  id: Id,
  name: z.string(),
  role: StaffRole,
  active: z.boolean(),
  mfaEnrolled: z.boolean(),
  createdAt: IsoDateTime,
  passphraseChangedAt: IsoDateTime.nullable(),
  deactivatedAt: IsoDateTime.nullable(),
});
export type StaffAccountT = z.infer<typeof StaffAccount>;

/**
 * Which staff accounts are practice-wide (in the practice staff directory of the practice server, issue #17) and on
 * which workstations each has signed in, as this workstation last synchronised it. Workstation labels only, no PHI.
 */
export const PracticeStaffView = z.object({
  /** Whether this workstation is joined to a practice (else every account is local to it). */
  joined: z.boolean(),
  /** When the sign-ins below were last brought from the server (null: never). */
  asOf: IsoDateTime.nullable(),
  accounts: z.array(
    z.object({
      userId: Id,
      practiceWide: z.boolean(),
      /** When this account first signed in on this workstation through the practice directory (null: made here). */
      firstSignInHere: IsoDateTime.nullable(),
      /** Directory changes for it made here and not yet pushed (the server was away). */
      waiting: z.number().int().min(0),
      signedInOn: z.array(z.object({ workstation: z.string(), firstAt: IsoDateTime, lastAt: IsoDateTime })),
    }),
  ),
});
export type PracticeStaffViewT = z.infer<typeof PracticeStaffView>;

/** Practice security settings: MFA required for every account; the two-person rule for third-party releases. */
export const SecuritySettings = z.object({ requireMfa: z.boolean(), twoPersonRule: z.boolean() });
export type SecuritySettingsT = z.infer<typeof SecuritySettings>;

/** A sign-in name: one line, 1–120 characters (also the name the audit log shows). */
export const StaffName = line(120);
/** A passphrase as typed (checked for strength in main). */
export const Passphrase = z.string().min(1).max(1024);
/** A 6-digit TOTP code (RFC 6238) or a recovery code (xxxx-xxxx-xx). */
/** The signed-in account, its recovery codes left and whether the practice requires MFA. */
export const AccountSelf = z.object({ user: StaffAccount, recoveryCodesLeft: z.number().int(), requireMfa: z.boolean() });
/** A new TOTP secret (RFC 6238) and its otpauth:// URI for the authenticator app; confirmed with a first code. */
export const MfaEnrollment = z.object({ secret: z.string(), otpauthUri: z.string() });
/** One-time recovery codes, shown once when MFA is confirmed. */
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
/** The account signed in to the app shell (app.info): null while locked. */
export const SignedInUser = z.object({ id: Id, name: z.string(), role: StaffRole });
export const MfaCode = z.string().regex(/^[0-9A-Za-z-]{6,20}$/);
export type AccountSelfT = z.infer<typeof AccountSelf>;
export type MfaEnrollmentT = z.infer<typeof MfaEnrollment>;
export type RecoveryCodesT = z.infer<typeof RecoveryCodes>;

/** What the app shell needs before anything else (app.info): mode, version, vault state, names. */
export const AppInfo = z.object({
  mode: z.enum(['electron', 'preview']),
  version: z.string(),
  vault: VaultState,
  practiceName: z.string().nullable(),
  staffName: z.string().nullable(),
  /** The signed-in account (issue #11); null while locked. */
  user: SignedInUser.nullable().optional(),
  /**
   * The practice required MFA when this account unlocked and it has not enrolled yet: the app shows only the
   * enrollment screen, and main refuses every other channel with MFA_ENROLLMENT_REQUIRED until it confirms.
   */
  mfaEnrollmentDue: z.boolean().optional(),
});
export type AppInfoT = z.output<typeof AppInfo>;
