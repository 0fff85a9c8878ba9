/**
 * Staff accounts, roles, MFA and the practice's security settings (45 CFR 164.308(a)(4), 164.312(d)).
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { line } from '../text-rules';
import { Id, IsoDateTime } from './common';

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

/** Practice security settings: MFA required for every account; the two-person rule for third-party releases. */
export const SecuritySettings = z.object({ requireMfa: z.boolean(), twoPersonRule: z.boolean() });
export type SecuritySettingsT = z.infer<typeof SecuritySettings>;

/** A sign-in name: one line, 1–120 characters (also the name the audit log shows). */
export const StaffName = line(120);
/** A passphrase as typed (checked for strength in main). */
export const Passphrase = z.string().min(1).max(1024);
/** A 6-digit TOTP code (RFC 6238) or a recovery code (xxxx-xxxx-xx). */
export const MfaCode = z.string().regex(/^[0-9A-Za-z-]{6,20}$/);
