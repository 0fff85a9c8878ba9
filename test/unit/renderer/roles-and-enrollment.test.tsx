// @vitest-environment jsdom
/**
 * Screens and actions by role, derived from the one role table main enforces (src/shared/roles.ts): for each role the
 * main navigation and the Settings sections shown are exactly those whose channel the role may call (front desk sees
 * no audit log, staff accounts, retention or practice certificate; a privacy officer sees the audit log and retention
 * but not staff accounts). And forced MFA enrollment: with `mfaEnrollmentDue` the app shows only the enrollment screen
 * and calls only the enrollment channels, until the recovery codes are kept.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../../src/renderer/app/App';
import { useAppStore } from '../../../src/renderer/app/store';
import { resetAllStores } from '../../../src/renderer/lib/stores';
import { MFA_ENROLLMENT_CHANNELS, roleMayCall } from '../../../src/shared/roles';
import type { ChannelName, StaffRoleT } from '../../../src/shared/contract';
import { FPR, KEY, installDomStubs, installFakeApi, ok, renderUi, unlockedInfo } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  resetAllStores();
});

const SETTINGS = {
  practice: { name: 'Maplewood Family Practice', senderName: 'Maplewood Records', senderEmail: 'records@clinic.example.test', timeZone: 'America/Chicago' },
  smtp: { host: 'smtp.clinic.example.test', port: 587, security: 'starttls' as const, username: 'frontdesk@clinic.example.test' },
  practiceKey: { ...KEY, fingerprint: FPR },
  practicePublicKeyArmored: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZsynthetic\n-----END PGP PUBLIC KEY BLOCK-----\n',
  delivery: { messageLimitBytes: 18_000_000 },
};

/** Each Settings section (its legend) and the channel it exists for. */
const SECTIONS: Array<[legend: string, channel: ChannelName]> = [
  ['Staff accounts', 'accounts.list'],
  ['Address and privacy officer', 'settings.updatePractice'],
  ['Outgoing email server (SMTP)', 'settings.updateSmtp'],
  ['Message size limit', 'settings.setDelivery'],
  ['Practice S/MIME certificate', 'settings.createSmimeCertificate'],
  ['Bounce mailbox (returned emails)', 'settings.updateBounceMailbox'],
  ['Retention policy', 'retention.setPolicy'],
];
const ROLES: StaffRoleT[] = ['administrator', 'privacy_officer', 'front_desk'];

describe('screens and actions by role (one table with main)', () => {
  for (const role of ROLES) {
    it(`${role}: the navigation and the Settings sections follow CHANNEL_ROLES`, async () => {
      installFakeApi({ 'app.info': () => ok(unlockedInfo(role)), 'settings.get': () => ok(SETTINGS) });
      renderUi(<App />);
      const nav = await screen.findByRole('navigation', { name: 'Main' });
      expect(within(nav).queryByRole('button', { name: 'Audit log' }) !== null).toBe(roleMayCall(role, 'audit.query'));
      fireEvent.click(within(nav).getByRole('button', { name: 'Settings' }));
      await screen.findByText('Practice OpenPGP key');
      await screen.findByText('Your account');
      for (const [legend, channel] of SECTIONS) {
        if (roleMayCall(role, channel)) expect(await screen.findByText(legend), `${role} sees ${legend}`).toBeTruthy();
        else expect(screen.queryByText(legend), `${role} does not see ${legend}`).toBeNull();
      }
      // Actions inside shared sections: the key file and the lock time only for those who may.
      expect(screen.queryByRole('button', { name: /Save key file/ }) !== null).toBe(roleMayCall(role, 'settings.exportPracticeKey'));
      expect(screen.queryByRole('button', { name: 'Save lock time' }) !== null).toBe(roleMayCall(role, 'settings.setIdleLock'));
      if (!roleMayCall(role, 'settings.setIdleLock')) expect(screen.getByText(/locks after 5 minutes without activity/)).toBeTruthy();
    });
  }

  it('front desk: the table says so — no audit log, staff accounts, retention or practice certificate; a privacy officer gets audit and retention', () => {
    for (const c of ['audit.query', 'accounts.list', 'retention.setPolicy', 'settings.createSmimeCertificate'] as const) expect(roleMayCall('front_desk', c)).toBe(false);
    for (const c of ['audit.query', 'retention.setPolicy', 'releases.approve', 'backup.create'] as const) expect(roleMayCall('privacy_officer', c)).toBe(true);
    expect(roleMayCall('privacy_officer', 'accounts.list')).toBe(false);
    expect(roleMayCall(null, 'audit.query')).toBe(false);
    expect(roleMayCall(null, 'requests.list')).toBe(true);
  });
});

describe('forced two-step sign-in enrollment', () => {
  it('shows only the enrollment screen, calls only enrollment channels, and opens the app once the codes are kept', async () => {
    let due = true;
    const fake = installFakeApi({
      'app.info': () => ok(unlockedInfo('front_desk', { mfaEnrollmentDue: due })),
      'accounts.startMfa': () => ok({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/Maplewood:Jordan?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Maplewood' }),
      'accounts.confirmMfa': () => {
        due = false;
        return ok({ recoveryCodes: Array.from({ length: 10 }, (_, i) => `abcd-efg${i}-hj`) });
      },
      'settings.get': () => ok(SETTINGS),
    });
    renderUi(<App />);
    expect(await screen.findByRole('heading', { name: 'Set up two-step sign-in' })).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Turn on two-step sign-in' }));
    expect(await screen.findByRole('img', { name: /QR code to add ReleaseDesk/ })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('2. Type the 6-digit code the app shows'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    const codes = await screen.findByTestId('recovery-codes');
    expect(within(codes).getAllByRole('listitem')).toHaveLength(10);
    // Still no app behind the codes until staff say they kept them.
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    const before = fake.calls.map((c) => c.channel);
    expect(before.filter((c) => !(MFA_ENROLLMENT_CHANNELS as readonly string[]).includes(c))).toEqual([]);
    await act(async () => fireEvent.click(within(codes).getByRole('button', { name: 'I have kept them' })));
    await waitFor(() => expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy());
    expect(useAppStore.getState().info?.mfaEnrollmentDue).toBe(false);
  });
});
