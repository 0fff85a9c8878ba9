// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { UnlockScreen } from '../../../src/renderer/features/unlock/UnlockScreen';
import { SetupScreen } from '../../../src/renderer/features/setup/SetupScreen';
import { useSetupStore } from '../../../src/renderer/features/setup/store';
import { FPR, FPR_GROUPED, KEY, fail, installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useSetupStore.setState({ strength: null, strengthFor: '', creating: false, practiceKey: null, error: null });
});

describe('UnlockScreen', () => {
  it('shows WRONG_PASSPHRASE as a clear field error linked to the passphrase input', async () => {
    const fake = installFakeApi({ 'vault.unlock': () => fail('WRONG_PASSPHRASE', 'The passphrase is not correct.') });
    renderUi(<UnlockScreen />);
    fireEvent.change(screen.getByLabelText(/your name/i), { target: { value: 'Jordan Frontdesk' } });
    const input = screen.getByLabelText(/your passphrase/i);
    fireEvent.change(input, { target: { value: 'not it at all' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    const msg = await screen.findByText(/that name and passphrase do not match/i);
    expect(fake.callsTo('vault.unlock')).toEqual([{ passphrase: 'not it at all', username: 'Jordan Frontdesk' }]);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby') ?? '').toContain(msg.id);
    expect((input as HTMLInputElement).value).toBe('');
  });

  it('shows a damaged vault as an alert that says to restore from backup, not as a wrong passphrase', async () => {
    installFakeApi({
      'vault.unlock': () => fail('VAULT_DAMAGED', 'The vault is damaged: the vault file is empty (0 bytes). ReleaseDesk has not changed it. Restore vault.db and vault.kdf.json together from your backup.'),
    });
    renderUi(<UnlockScreen />);
    fireEvent.change(screen.getByLabelText(/your name/i), { target: { value: 'Jordan Frontdesk' } });
    const input = screen.getByLabelText(/your passphrase/i);
    fireEvent.change(input, { target: { value: 'the right one maybe' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText(/vault file is empty/i)).toBeTruthy();
    expect(screen.getAllByText(/restore vault\.db and vault\.kdf\.json together from your backup/i).length).toBeGreaterThan(0);
    expect(input.getAttribute('aria-invalid')).not.toBe('true');
    expect(screen.queryByText(/that name and passphrase do not match/i)).toBeNull();
  });
});

describe('SetupScreen', () => {
  const fill = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label, { selector: 'input' }), { target: { value } });
  const fillPractice = () => {
    fill(/postal address/i, '12 Elm St, Springfield, IL 62701');
    fill(/practice phone/i, '(217) 555-0100');
    fireEvent.change(document.getElementById('setup-privacyName')!, { target: { value: 'Qwfp Privacyofficer' } });
  };

  it('checks passphrase strength (debounced) and shows the meter', async () => {
    const fake = installFakeApi({
      'setup.checkPassphrase': ({ passphrase }) =>
        ok(passphrase.length > 20
          ? { score: 4, acceptable: true, warning: '', suggestions: [] }
          : { score: 1, acceptable: false, warning: 'This is similar to a commonly used password.', suggestions: ['Add another word or two.'] }),
    });
    renderUi(<SetupScreen />);
    fill(/^passphrase/i, 'pass');
    fill(/^passphrase/i, 'password1');
    expect(await screen.findByText(/too easy to guess/i)).toBeTruthy();
    expect(screen.getByText('Add another word or two.')).toBeTruthy();
    // Debounced: the intermediate value was never sent.
    expect(fake.callsTo('setup.checkPassphrase').map((i) => (i as { passphrase: string }).passphrase)).toEqual(['password1']);
    fill(/^passphrase/i, 'orbit velvet canyon lantern');
    expect(await screen.findByText(/very strong — good enough/i)).toBeTruthy();
  });

  it('refuses to submit mismatched passphrases and empty fields, focusing the first error', async () => {
    const fake = installFakeApi({ 'setup.checkPassphrase': () => ok({ score: 4, acceptable: true, warning: '', suggestions: [] }) });
    renderUi(<SetupScreen />);
    fill(/^passphrase/i, 'orbit velvet canyon lantern');
    fill(/confirm passphrase/i, 'orbit velvet canyon');
    await screen.findByText(/good enough/i);
    fireEvent.click(screen.getByRole('button', { name: 'Create vault' }));
    expect(await screen.findByText('The two passphrases do not match.')).toBeTruthy();
    expect(document.activeElement?.id).toBe('setup-confirm');
    expect(fake.callsTo('setup.createVault')).toHaveLength(0);
  });

  it('creates the vault and shows the practice key fingerprint in groups of four', async () => {
    const fake = installFakeApi({
      'setup.checkPassphrase': () => ok({ score: 4, acceptable: true, warning: '', suggestions: [] }),
      'setup.createVault': () => ok({ practiceKey: { ...KEY, fingerprint: FPR } }),
    });
    renderUi(<SetupScreen />);
    fill(/^passphrase/i, 'orbit velvet canyon lantern');
    fill(/confirm passphrase/i, 'orbit velvet canyon lantern');
    fill(/your name/i, 'Jordan Frontdesk');
    fill(/practice name/i, 'Lakeside Test Clinic');
    fill(/sender name/i, 'Records, Lakeside');
    fill(/sender email/i, 'records@clinic.example.test');
    fillPractice();
    fill(/server name/i, 'smtp.example.test');
    fill(/username/i, 'records@clinic.example.test');
    fireEvent.change(screen.getByLabelText(/^password/i), { target: { value: 'smtp secret' } });
    await screen.findByText(/good enough/i);
    fireEvent.click(screen.getByRole('button', { name: 'Create vault' }));
    expect((await screen.findByTestId('fingerprint')).textContent).toBe(FPR_GROUPED);
    const input = fake.callsTo('setup.createVault')[0] as { smtp: { port: number; security: string }; practice: { timeZone: string } };
    expect(input.smtp).toMatchObject({ port: 587, security: 'starttls', host: 'smtp.example.test' });
    expect(input.practice.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
  it('Create vault pressed before the strength check answered still creates the vault once it answers (no silent no-op)', async () => {
    const fake = installFakeApi({
      'setup.checkPassphrase': () => ok({ score: 4, acceptable: true, warning: '', suggestions: [] }),
      'setup.createVault': () => ok({ practiceKey: { ...KEY, fingerprint: FPR } }),
    });
    renderUi(<SetupScreen />);
    fill(/your name/i, 'Jordan Frontdesk');
    fill(/practice name/i, 'Lakeside Test Clinic');
    fill(/sender name/i, 'Records, Lakeside');
    fill(/sender email/i, 'records@clinic.example.test');
    fillPractice();
    fill(/server name/i, 'smtp.example.test');
    fill(/username/i, 'records@clinic.example.test');
    fireEvent.change(screen.getByLabelText(/^password/i), { target: { value: 'smtp secret' } });
    fill(/^passphrase/i, 'orbit velvet canyon lantern');
    fill(/confirm passphrase/i, 'orbit velvet canyon lantern');
    fireEvent.click(screen.getByRole('button', { name: 'Create vault' })); // at once: the 300 ms strength check has not run
    expect((await screen.findByTestId('fingerprint')).textContent).toBe(FPR_GROUPED);
    expect(fake.callsTo('setup.createVault')).toHaveLength(1);
  });

  it('a refused sign-in on “Test connection” during setup points to the fields above, never to Settings, and says it once', async () => {
    const refused = 'The mail server refused the user name or password. Nothing was sent.';
    installFakeApi({
      'setup.checkPassphrase': () => ok({ score: 4, acceptable: true, warning: '', suggestions: [] }),
      'settings.testSmtp': () => fail('SMTP_AUTH_FAILED', refused),
    });
    renderUi(<SetupScreen />);
    fill(/server name/i, 'smtp.example.test');
    fill(/username/i, 'records@clinic.example.test');
    fireEvent.change(screen.getByLabelText(/^password/i), { target: { value: 'wrong secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    const alert = await screen.findByRole('alert');
    const text = alert.textContent ?? '';
    expect(text).toContain('The connection test failed');
    expect(text).toContain('username and password above');
    expect(text).not.toMatch(/Settings/);
    // What happened is said once: main's precise sentence, not also the table's restatement of it.
    expect(text.split(refused)).toHaveLength(2);
    expect(text).not.toContain('did not accept the username or password');
  });
});
