/**
 * TOTP (RFC 6238) with a fixed clock: the current code, the previous and next 30-second windows, nothing further;
 * a replayed code is refused; a recovery code works once. At unlock, an account with MFA is refused without the
 * code (the vault is closed again) and a wrong code is audited and counted like a wrong passphrase.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../../src/main/services/audit/audit';
import { AccountService } from '../../../src/main/services/accounts/account-service';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpCode, totpUri, verifyTotp } from '../../../src/main/services/accounts/totp';
import { Session } from '../../../src/main/services/session';
import { memoryLogger } from '../../../src/main/services/support/logger';

const T0 = new Date('2026-03-01T15:00:10Z'); // step 59 337 800
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('TOTP codes (RFC 6238, window ±1, no replay)', () => {
  it('matches the RFC 6238 appendix B reference value for SHA-1', () => {
    // RFC 6238 Appendix B: secret "12345678901234567890", T = 59 s -> 94287082 (8 digits); 6 digits -> 287082.
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCode(rfcSecret, new Date(59_000))).toBe('287082');
  });

  it('accepts the current code and the previous/next window, refuses two steps away', () => {
    const now = totpCode(SECRET, T0);
    expect(verifyTotp(SECRET, now, T0, null)).toBe(Math.floor(T0.getTime() / 30_000));
    expect(verifyTotp(SECRET, totpCode(SECRET, at(-30)), T0, null)).toBe(Math.floor(T0.getTime() / 30_000) - 1);
    expect(verifyTotp(SECRET, totpCode(SECRET, at(30)), T0, null)).toBe(Math.floor(T0.getTime() / 30_000) + 1);
    expect(verifyTotp(SECRET, totpCode(SECRET, at(-60)), T0, null)).toBeNull();
    expect(verifyTotp(SECRET, totpCode(SECRET, at(60)), T0, null)).toBeNull();
    expect(verifyTotp(SECRET, '000000', T0, null) === null || totpCode(SECRET, T0) === '000000').toBe(true);
    expect(verifyTotp(SECRET, 'abcdef', T0, null)).toBeNull();
  });

  it('refuses a replay of the same code, and of an older one, once a step was accepted', () => {
    const code = totpCode(SECRET, T0);
    const step = verifyTotp(SECRET, code, T0, null)!;
    expect(verifyTotp(SECRET, code, at(5), step)).toBeNull();
    expect(verifyTotp(SECRET, totpCode(SECRET, at(-30)), at(5), step)).toBeNull();
    expect(verifyTotp(SECRET, totpCode(SECRET, at(30)), at(30), step)).toBe(step + 1);
  });

  it('makes distinct random secrets, 10 distinct recovery codes, and an otpauth URI without the secret in clear elsewhere', () => {
    expect(newTotpSecret()).not.toBe(newTotpSecret());
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{2}$/);
    expect(hashRecoveryCode(codes[0]!.toUpperCase().replace(/-/g, ' '))).toBe(hashRecoveryCode(codes[0]!));
    expect(totpUri(SECRET, 'Lakeside', 'Dana')).toMatch(/^otpauth:\/\/totp\/.*secret=JBSWY3DPEHPK3PXP/);
  });
});

describe('MFA at unlock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const PASS = 'orbit velvet canyon lantern meadow';

  it('refuses without the code, audits a wrong code, accepts a code once and a recovery code once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-mfa-'));
    dirs.push(dir);
    let now = T0;
    const clock = { now: () => now };
    const session = new Session(dir, clock, memoryLogger());
    const accounts = new AccountService(session);
    await session.create(PASS, { name: 'Alex Admin' });
    const { secret } = accounts.startMfa();
    await expect(Promise.resolve().then(() => accounts.confirmMfa('123456' === totpCode(secret, now) ? '654321' : '123456'))).rejects.toMatchObject({ code: 'MFA_INVALID' });
    const { recoveryCodes } = accounts.confirmMfa(totpCode(secret, now));
    expect(recoveryCodes).toHaveLength(10);
    expect(accounts.me()).toMatchObject({ user: { mfaEnrolled: true }, recoveryCodesLeft: 10 });
    session.lock();

    now = at(30);
    await expect(session.unlock(PASS, { username: 'Alex Admin' })).rejects.toMatchObject({ code: 'MFA_REQUIRED' });
    expect(session.state).toBe('locked');
    const wrong = totpCode(secret, at(300));
    await expect(session.unlock(PASS, { username: 'Alex Admin', code: wrong })).rejects.toMatchObject({ code: 'MFA_INVALID' });
    expect(session.state).toBe('locked');
    const code = totpCode(secret, now);
    await session.unlock(PASS, { username: 'Alex Admin', code });
    session.lock();
    // The same code again, still inside its window: a replay.
    now = at(40);
    await expect(session.unlock(PASS, { username: 'Alex Admin', code })).rejects.toMatchObject({ code: 'MFA_INVALID' });
    now = at(400); // past the throttle's wait
    await session.unlock(PASS, { username: 'Alex Admin', code: recoveryCodes[0]! });
    session.lock();
    now = at(800);
    await expect(session.unlock(PASS, { username: 'Alex Admin', code: recoveryCodes[0]! })).rejects.toMatchObject({ code: 'MFA_INVALID' });
    now = at(1400);
    await session.unlock(PASS, { username: 'Alex Admin', code: recoveryCodes[1]! });
    expect(accounts.me().recoveryCodesLeft).toBe(8);
    const unlocks = listAudit(session.require().db, 100).filter((e) => e.action === 'vault.unlock');
    expect(unlocks.filter((e) => e.outcome === 'failure').map((e) => e.detail.code)).toEqual(['MFA_INVALID', 'MFA_INVALID', 'MFA_INVALID']);
    expect(unlocks.filter((e) => e.outcome === 'success').map((e) => e.detail.mfa)).toEqual(['recovery', 'recovery', 'totp']);
  }, 60_000);
});
