// @vitest-environment jsdom
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { SettingsScreen } from '../../../src/renderer/features/settings/SettingsScreen';
import { App } from '../../../src/renderer/app/App';
import { useAppStore } from '../../../src/renderer/lib/navigation';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import { useIdleLockStore } from '../../../src/renderer/lib/idle-lock';
import { resetAllStores } from '../../../src/renderer/lib/stores';
import { ErrorAlert } from '../../../src/renderer/components/ErrorAlert';
import { ApiError } from '../../../src/renderer/lib/call';
import { FPR, FPR_GROUPED, KEY, fail, installDomStubs, installFakeApi, ok, renderUi, unlockedInfo } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useAppStore.setState({ info: null, error: null, screen: { name: 'requests' } });
  useWizardStore.setState({ oneTime: null, release: null });
});

const ARMORED = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZsynthetic\n-----END PGP PUBLIC KEY BLOCK-----\n';
const SETTINGS = {
  practice: { name: 'Maplewood Family Practice', senderName: 'Maplewood Records', senderEmail: 'records@clinic.example.test', timeZone: 'America/Chicago' },
  smtp: { host: 'smtp.clinic.example.test', port: 587, security: 'starttls' as const, username: 'frontdesk@clinic.example.test' },
  practiceKey: { ...KEY, fingerprint: FPR },
  practicePublicKeyArmored: ARMORED,
  delivery: { messageLimitBytes: 18_000_000 },
};

describe('SettingsScreen', () => {
  beforeEach(() => useAppStore.setState({ info: unlockedInfo('administrator') }));
  it('shows the practice read-only, the grouped fingerprint and the public key; focuses its heading', async () => {
    installFakeApi({ 'settings.get': () => ok(SETTINGS) });
    renderUi(<SettingsScreen />);
    const heading = screen.getByRole('heading', { level: 1, name: 'Settings' });
    expect(document.activeElement).toBe(heading);
    expect(await screen.findByText(FPR_GROUPED)).toBeTruthy();
    expect((screen.getByLabelText('Practice name') as HTMLInputElement).readOnly).toBe(true);
    expect((screen.getByLabelText('Time zone') as HTMLInputElement).value).toBe('America/Chicago');
    expect((screen.getByTestId('practice-public-key') as HTMLTextAreaElement).value).toBe(ARMORED);
    expect(screen.getByRole('button', { name: /copy public key/i })).toBeTruthy();
  });

  it('Test connection: a wrong password shows SMTP_AUTH_FAILED; the fixed one shows the TLS version; an empty password tests the stored one', async () => {
    let good = false;
    const fake = installFakeApi({
      'settings.get': () => ok(SETTINGS),
      'settings.testSmtp': (i) =>
        good || i.password === undefined
          ? ok({ ok: true as const, tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384' })
          : fail('SMTP_AUTH_FAILED', 'The mail server refused the user name or password.'),
    });
    renderUi(<SettingsScreen />);
    await screen.findByText(FPR_GROUPED);
    fireEvent.change(screen.getByLabelText('Password', { selector: 'input' }), { target: { value: 'wrong one' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    const alert = await screen.findByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('SMTP_AUTH_FAILED');
    expect(alert.textContent).toMatch(/refused the user name or password/);
    expect(alert.textContent).toContain('email server settings on this page');
    expect(fake.callsTo('settings.testSmtp').at(-1)).toEqual({ ...SETTINGS.smtp, password: 'wrong one' });
    expect(fake.callsTo('settings.updateSmtp')).toHaveLength(0);

    good = true;
    fireEvent.change(screen.getByLabelText('Password', { selector: 'input' }), { target: { value: 'right one' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect((await screen.findByTestId('smtp-test-ok')).textContent).toContain('TLS 1.3');
    expect(screen.queryByRole('alert')).toBeNull();

    fireEvent.change(screen.getByLabelText('Password', { selector: 'input' }), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(fake.callsTo('settings.testSmtp')).toHaveLength(3));
    expect(fake.callsTo('settings.testSmtp').at(-1)).toEqual(SETTINGS.smtp);
  });

  it('Save keeps the stored password when the field is empty; an empty server name focuses that field instead', async () => {
    const fake = installFakeApi({ 'settings.get': () => ok(SETTINGS), 'settings.updateSmtp': (i) => ok({ host: i.host, port: i.port, security: i.security, username: i.username }) });
    renderUi(<SettingsScreen />);
    await screen.findByText(FPR_GROUPED);
    const host = screen.getByLabelText(/server name/i, { selector: 'input' });
    fireEvent.change(host, { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: /save email server settings/i }));
    await waitFor(() => expect(document.activeElement).toBe(host));
    expect(host.getAttribute('aria-invalid')).toBe('true');
    expect(fake.callsTo('settings.updateSmtp')).toHaveLength(0);

    fireEvent.change(host, { target: { value: 'mail.clinic.example.test' } });
    fireEvent.click(screen.getByRole('button', { name: /save email server settings/i }));
    expect(await screen.findByText('Email server settings saved')).toBeTruthy();
    expect(fake.callsTo('settings.updateSmtp')).toEqual([{ ...SETTINGS.smtp, host: 'mail.clinic.example.test' }]);
  });

  it('saves the size limit in bytes and the key file through settings.exportPracticeKey', async () => {
    const fake = installFakeApi({
      'settings.get': () => ok(SETTINGS),
      'settings.setDelivery': (i) => ok(i),
      'settings.exportPracticeKey': () => ok({ saved: true, fingerprint: FPR_GROUPED }),
    });
    renderUi(<SettingsScreen />);
    await screen.findByText(FPR_GROUPED);
    fireEvent.change(screen.getByLabelText(/largest attachment per email/i), { target: { value: '10' } });
    fireEvent.click(screen.getByRole('button', { name: /save size limit/i }));
    expect(await screen.findByText('Size limit saved')).toBeTruthy();
    expect(fake.callsTo('settings.setDelivery')).toEqual([{ messageLimitBytes: 10_000_000 }]);
    fireEvent.click(screen.getByRole('button', { name: /save key file/i }));
    expect(await screen.findByText(/key file saved as practice-key\.asc/i)).toBeTruthy();
    expect(fake.callsTo('settings.exportPracticeKey')).toEqual([{}]);
  });
});

describe('SMTP/TLS errors lead to Settings', () => {
  it('an SMTP_AUTH_FAILED alert has a button that opens Settings (when unlocked)', () => {
    useAppStore.setState({ info: { mode: 'preview', version: 't', vault: 'unlocked', practiceName: 'P', staffName: 'S' } });
    renderUi(<ErrorAlert error={new ApiError('SMTP_AUTH_FAILED', 'The mail server refused the user name or password.')} />);
    fireEvent.click(screen.getByRole('button', { name: /open email server settings/i }));
    expect(useAppStore.getState().screen).toEqual({ name: 'settings' });
  });
  it('other errors have no such button', () => {
    useAppStore.setState({ info: { mode: 'preview', version: 't', vault: 'unlocked', practiceName: 'P', staffName: 'S' } });
    renderUi(<ErrorAlert error={new ApiError('RELEASE_BLOCKED', 'Blocked.')} />);
    expect(screen.queryByRole('button', { name: /open email server settings/i })).toBeNull();
  });
});

describe('Lock while an export passphrase (shown only once) is on screen', () => {
  const INFO = { mode: 'preview' as const, version: 't', vault: 'unlocked' as const, practiceName: 'Maplewood Family Practice', staffName: 'Qwert Frontdesk' };

  async function renderWizardWithPassphrase() {
    const fake = installFakeApi({ 'app.info': () => ok(INFO), 'vault.lock': () => ok({}) });
    useAppStore.setState({ screen: { name: 'wizard', releaseId: null } });
    renderUi(<App />);
    await screen.findByRole('button', { name: 'Lock ReleaseDesk' });
    act(() => useWizardStore.setState({ oneTime: { passphrase: 'amber-lake-torch-violet-nine', staffInstructions: 'Read it by phone.', via: 'export' } }));
    return fake;
  }

  it('asks first (accessible dialog); Cancel keeps the vault open and the passphrase', async () => {
    const fake = await renderWizardWithPassphrase();
    fireEvent.click(screen.getByRole('button', { name: 'Lock ReleaseDesk' }));
    const dialog = await screen.findByRole('dialog', { name: /lock while the passphrase is shown/i });
    expect(dialog.textContent).toContain('The passphrase will be lost; the recipient could not open the PDF');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsTo('vault.lock')).toHaveLength(0);
    expect(useWizardStore.getState().oneTime).not.toBeNull();
  });

  it('"Lock anyway" locks', async () => {
    const fake = await renderWizardWithPassphrase();
    fireEvent.click(screen.getByRole('button', { name: 'Lock ReleaseDesk' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Lock anyway' }));
    await waitFor(() => expect(fake.callsTo('vault.lock')).toHaveLength(1));
  });

  it('leaving through the main navigation asks too', async () => {
    await renderWizardWithPassphrase();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: /leave while the passphrase is shown/i });
    expect(useAppStore.getState().screen.name).toBe('wizard');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Leave anyway' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('settings'));
  });

  it("a sent password PDF's passphrase is kept in the vault until given, so Lock locks at once", async () => {
    const fake = installFakeApi({ 'app.info': () => ok(INFO), 'vault.lock': () => ok({}) });
    useAppStore.setState({ screen: { name: 'wizard', releaseId: null } });
    renderUi(<App />);
    await screen.findByRole('button', { name: 'Lock ReleaseDesk' });
    act(() => useWizardStore.setState({ oneTime: { passphrase: 'amber-lake-torch-violet-nine', staffInstructions: 'Read it by phone.', via: 'send' } }));
    fireEvent.click(screen.getByRole('button', { name: 'Lock ReleaseDesk' }));
    await waitFor(() => expect(fake.callsTo('vault.lock')).toHaveLength(1));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('without a passphrase on screen, Lock locks at once', async () => {
    const fake = installFakeApi({ 'app.info': () => ok(INFO), 'vault.lock': () => ok({}) });
    renderUi(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Lock ReleaseDesk' }));
    await waitFor(() => expect(fake.callsTo('vault.lock')).toHaveLength(1));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('Settings → Automatic lock', () => {
  beforeEach(() => useAppStore.setState({ info: unlockedInfo('administrator') }));
  it('shows the stored idle time, refuses 0 and 61 without saving, saves 12 and the running idle lock follows it', async () => {
    resetAllStores();
    useAppStore.setState({ info: unlockedInfo('administrator') });
    const fake = installFakeApi({
      'settings.get': () => ok(SETTINGS),
      'settings.getIdleLock': () => ok({ idleMinutes: 7 }),
      'settings.setIdleLock': (i) => ok(i),
    });
    renderUi(<SettingsScreen />);
    await screen.findByText(FPR_GROUPED);
    const input = screen.getByLabelText('Lock after this many minutes without activity') as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe('7'));
    const save = screen.getByRole('button', { name: 'Save lock time' });

    for (const bad of ['0', '61']) {
      fireEvent.change(input, { target: { value: bad } });
      fireEvent.click(save);
      expect(await screen.findByText('Enter a whole number of minutes from 1 to 60.')).toBeTruthy();
      expect(input.getAttribute('aria-invalid')).toBe('true');
    }
    expect(fake.callsTo('settings.setIdleLock')).toHaveLength(0);

    fireEvent.change(input, { target: { value: '12' } });
    fireEvent.click(save);
    expect(await screen.findByText('Automatic lock time saved')).toBeTruthy();
    expect(fake.callsTo('settings.setIdleLock')).toEqual([{ idleMinutes: 12 }]);
    expect(useIdleLockStore.getState().idleMinutes).toBe(12);
    expect(input.value).toBe('12');
  });
});
