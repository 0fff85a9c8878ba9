/**
 * Forced MFA enrollment (45 CFR 164.312(d)) through the real dispatch: when the practice requires two-step sign-in, an
 * account without it that unlocks may call only the enrollment channels (app state, its own account, start/confirm,
 * idle lock time, lock); every other channel is refused with MFA_ENROLLMENT_REQUIRED — before the role check — and
 * each refusal is audited with the channel name. Confirming enrollment opens the session; from the next unlock the
 * code is required. The gate is decided at unlock, so the administrator who turns the setting on keeps working.
 */
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../../src/main/services/accounts/totp';
import { MFA_ENROLLMENT_CHANNELS } from '../../../src/shared/roles';
import { CHANNEL_NAMES } from '../../../src/shared/contract';
import { PASSPHRASE, signInAs, type Backend } from '../../support/backend';
import { useBackend } from '../../support/release-suite';

const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };

describe('forced MFA enrollment when the practice requires it', () => {
  let b: Backend;
  useBackend({}, (started) => {
    b = started;
  }, 60_000);

  const signIn = (name: string, pass: string, code?: string) => signInAs(b, name, pass, code);

  it('refuses every other channel until the account enrolls; then the session opens and later unlocks need a code', async () => {
    const dana = await b.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    await b.call('settings.setSecurity', { requireMfa: true, twoPersonRule: false });
    // The administrator who turned it on is not locked out mid-session (decided at unlock).
    expect((await b.call('app.info', {})).mfaEnrollmentDue).toBe(false);
    expect(await b.call('accounts.list', {})).toHaveLength(2);

    await signIn(DANA.name, DANA.pass);
    const info = await b.call('app.info', {});
    expect(info).toMatchObject({ vault: 'unlocked', mfaEnrollmentDue: true, user: { id: dana.id, role: 'front_desk' } });
    for (const [channel, input] of [
      ['requests.list', {}],
      ['releases.list', {}],
      ['dashboard.get', {}],
      ['settings.get', {}],
      ['releases.outbox', {}],
      ['accounts.changePassphrase', { current: { passphrase: DANA.pass }, next: { passphrase: 'maple orbit canyon prism ledger' } }],
      // A channel the role does not allow answers the enrollment code first (nothing about roles is revealed yet).
      ['accounts.list', {}],
    ] as const) {
      await expect(b.call(channel as 'requests.list', input as never), channel).rejects.toMatchObject({ code: 'MFA_ENROLLMENT_REQUIRED' });
    }
    const me = await b.call('accounts.me', {});
    expect(me).toMatchObject({ requireMfa: true, user: { mfaEnrolled: false } });
    expect(await b.call('settings.getIdleLock', {})).toEqual({ idleMinutes: 5 });

    // Locking and unlocking again without enrolling changes nothing.
    await signIn(DANA.name, DANA.pass);
    expect((await b.call('app.info', {})).mfaEnrollmentDue).toBe(true);
    await expect(b.call('requests.list', {})).rejects.toMatchObject({ code: 'MFA_ENROLLMENT_REQUIRED' });

    // Enroll: a wrong code keeps the gate shut; the right one opens it and shows ten recovery codes.
    const { secret, otpauthUri } = await b.call('accounts.startMfa', {});
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    await expect(b.call('accounts.confirmMfa', { code: '000000' === totpCode(secret, b.services.session.clock.now()) ? '111111' : '000000' })).rejects.toMatchObject({ code: 'MFA_INVALID' });
    await expect(b.call('requests.list', {})).rejects.toMatchObject({ code: 'MFA_ENROLLMENT_REQUIRED' });
    const { recoveryCodes } = await b.call('accounts.confirmMfa', { code: totpCode(secret, b.services.session.clock.now()) });
    expect(recoveryCodes).toHaveLength(10);
    expect((await b.call('app.info', {})).mfaEnrollmentDue).toBe(false);
    expect(await b.call('requests.list', {})).toEqual([]);
    // The role still applies once enrolled.
    await expect(b.call('accounts.list', {})).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });

    // Next unlock: the code is required; with it the session is open at once.
    b.services.session.lock();
    await expect(b.call('vault.unlock', { username: DANA.name, passphrase: DANA.pass })).rejects.toMatchObject({ code: 'MFA_REQUIRED' });
    b.clock.advance(30_000);
    await signIn(DANA.name, DANA.pass, totpCode(secret, b.services.session.clock.now()));
    expect((await b.call('app.info', {})).mfaEnrollmentDue).toBe(false);
    expect(await b.call('releases.list', {})).toEqual([]);

    // The audit: each refusal names the channel and the account (never data); the enrollment says it was required.
    await signIn('Qwert Frontdesk', PASSPHRASE);
    await expect(b.call('requests.list', {})).rejects.toMatchObject({ code: 'MFA_ENROLLMENT_REQUIRED' }); // the administrator too, now
    const events = b.services.audit.events(500);
    const refused = events.filter((e) => e.action === 'rpc.mfa_enrollment_refused' && e.actorId === dana.id);
    expect(refused.map((e) => e.subjectId).sort()).toEqual(
      ['accounts.changePassphrase', 'accounts.list', 'dashboard.get', 'releases.list', 'releases.outbox', 'requests.list', 'requests.list', 'requests.list', 'settings.get'].sort(),
    );
    expect(refused.every((e) => e.outcome === 'refused' && e.detail.code === 'MFA_ENROLLMENT_REQUIRED')).toBe(true);
    expect(events.find((e) => e.action === 'user.mfa_enroll' && e.outcome === 'success' && e.actorId === dana.id)?.detail).toMatchObject({ required: true, recoveryCodes: 10 });
  });

  it('lets through exactly the enrollment channels (app state, own account, start/confirm, idle lock time, lock)', () => {
    expect([...MFA_ENROLLMENT_CHANNELS].sort()).toEqual(['accounts.confirmMfa', 'accounts.me', 'accounts.startMfa', 'app.info', 'settings.getIdleLock', 'vault.lock', 'vault.unlock']);
    for (const c of MFA_ENROLLMENT_CHANNELS) expect(CHANNEL_NAMES).toContain(c);
  });
});
