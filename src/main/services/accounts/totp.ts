import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 parameters: HMAC-SHA1, 6 digits, 30-second steps (what authenticator apps expect by default). */
export const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted either side of now (±1 = ±30 s of clock drift, RFC 6238 §5.2). */
export const TOTP_WINDOW = 1;
/** Recovery codes issued at enrollment. */
export const RECOVERY_CODE_COUNT = 10;

function totp(secretBase32: string, label = 'staff'): TOTP {
  return new TOTP({ issuer: 'ReleaseDesk', label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A new random TOTP secret: 20 bytes (160 bits, RFC 4226 §4 R6), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The otpauth:// URI an authenticator app scans (Key Uri Format), labelled with the practice and the staff member.
 * Practice and staff names only — no PHI.
 */
export function totpUri(secretBase32: string, practice: string, staffName: string): string {
  const t = new TOTP({ issuer: `ReleaseDesk ${practice}`.slice(0, 100), label: staffName, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
  return t.toString();
}

/** The code for `at` (tests and enrollment checks). */
export function totpCode(secretBase32: string, at: Date): string {
  return totp(secretBase32).generate({ timestamp: at.getTime() });
}

/**
 * Check a 6-digit code at time `at` within ±{@link TOTP_WINDOW} steps, refusing any step at or before `lastStep`
 * (a code, or an older one, is never accepted twice — RFC 6238 §5.2).
 * @returns the accepted time step (store it as the new lastStep), or null when the code is wrong or replayed
 */
export function verifyTotp(secretBase32: string, code: string, at: Date, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: at.getTime(), window: TOTP_WINDOW });
  if (delta === null) return null;
  const step = Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The current 30-second time step at `at`. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz0234567893'.slice(0, 32); // 32 symbols, no o/1/l/i: x & 31 has no bias

/** {@link RECOVERY_CODE_COUNT} random recovery codes like `k7m2-x9qp-4t` (50 bits each). Shown once, stored hashed. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const b = randomBytes(10);
    const chars = [...b].map((x) => ALPHABET[x & 31]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 10)}`;
  });
}

/** SHA-256 (hex) of a recovery code, normalised (lower case, no spaces or dashes). */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(`releasedesk:recovery:${code.toLowerCase().replace(/[\s-]/g, '')}`).digest('hex');
}

/** A recovery code rather than a 6-digit TOTP code. */
export function looksLikeRecoveryCode(code: string): boolean {
  return !/^\d{6}$/.test(code.trim());
}
