// @vitest-environment jsdom
/**
 * Settings → Practice server with a fake window.api: it says what a practice server is for; the form is checked by
 * the shared schema before anything is sent (keyboard focus on the first wrong field); "Test connection" shows the TLS
 * and server version or the coded, plain refusal and saves nothing; "Save and connect" sends the settings once and
 * shows the password only as "set"; front desk sees the status but not the form; disconnect asks first.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { PracticeServerSettings } from '../../../src/renderer/features/settings/practice-server/PracticeServerSettings';
import { usePracticeServerStore } from '../../../src/renderer/features/settings/practice-server/store';
import { useAppStore } from '../../../src/renderer/lib/navigation';
import { resetAllStores } from '../../../src/renderer/lib/stores';
import { fail, installDomStubs, installFakeApi, ok, renderUi, unlockedInfo } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  resetAllStores();
  useAppStore.setState({ info: null, error: null, screen: { name: 'requests' } });
});

const CA = '-----BEGIN CERTIFICATE-----\nMIIBsyntheticCA\n-----END CERTIFICATE-----';
const LOCAL = { state: 'local' as const, workstationLabel: null, lastSyncAt: null, conflicts: 0 };
const NOT_SET = { state: 'not_set' as const, server: null, passwordSet: false, caFingerprint: null, verified: null, link: LOCAL };
const CHECK = { serverVersion: '15.18 (Debian 15.18-0+deb12u1)', tlsVersion: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384', at: '2026-03-10T15:00:00.000Z' };
const SERVER = { host: 'db.lakeside.example', port: 5432, database: 'practice', user: 'releasedesk', caPem: `${CA}\n` };
const ACTIVE = { state: 'active' as const, server: SERVER, passwordSet: true, caFingerprint: 'AB:CD', verified: CHECK, link: { ...LOCAL, state: 'not_joined' as const } };

const type = (label: RegExp | string, value: string) => fireEvent.change(screen.getByLabelText(label, { selector: 'input, textarea' }), { target: { value } });
function fillForm() {
  type(/Database server/, SERVER.host);
  type(/Database name/, SERVER.database);
  type(/Database user name/, SERVER.user);
  type(/Database password/, 'synthetic-db-secret-1');
  type(/CA certificate/, CA);
}

describe('Settings → Practice server (administrator)', () => {
  beforeEach(() => useAppStore.setState({ info: unlockedInfo('administrator') }));

  it('explains what it is for and checks the fields before sending anything (focus on the first wrong field)', async () => {
    const fake = installFakeApi({ 'practiceServer.status': () => ok(NOT_SET) });
    renderUi(<PracticeServerSettings />);
    expect(await screen.findByTestId('practice-server-status')).toHaveProperty('textContent', expect.stringMatching(/not set up/));
    expect(screen.getByText(/one request queue and one audit trail/)).toBeTruthy();
    expect(screen.getByText(/Patient details are encrypted on this computer before they are sent/)).toBeTruthy();
    type(/Database server/, 'https://db.example/');
    type(/Database port/, '70000');
    fireEvent.click(screen.getByRole('button', { name: 'Test practice server connection' }));
    await waitFor(() => expect(document.activeElement?.id).toBe('practice-server-host'));
    expect(screen.getByText(/without “https:\/\/” or a port/)).toBeTruthy();
    expect(screen.getByText(/from 1 to 65535/)).toBeTruthy();
    expect(screen.getByText('Enter the password your IT provider gave you.')).toBeTruthy();
    expect(screen.getByText(/Paste the CA certificate/)).toBeTruthy();
    expect(fake.callsTo('practiceServer.test')).toHaveLength(0);
  });

  it('a refused test shows the coded plain message and saves nothing; a passing one shows TLS and PostgreSQL versions', async () => {
    let right = false;
    const fake = installFakeApi({
      'practiceServer.status': () => ok(NOT_SET),
      'practiceServer.test': () =>
        right
          ? ok(CHECK)
          : fail('PRACTICE_SERVER_TLS_UNTRUSTED', 'The practice server’s certificate is not signed by the CA certificate entered here. Nothing was sent to it.'),
    });
    renderUi(<PracticeServerSettings />);
    await screen.findByTestId('practice-server-status');
    fillForm();
    fireEvent.click(screen.getByRole('button', { name: 'Test practice server connection' }));
    const alert = await screen.findByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('PRACTICE_SERVER_TLS_UNTRUSTED');
    expect(alert.textContent).toMatch(/The connection test failed\. Nothing was saved\./);
    expect(alert.textContent).toMatch(/not signed by the CA certificate entered here/);
    expect(alert.textContent).toMatch(/What to do next:/);
    expect(fake.callsTo('practiceServer.test')[0]).toEqual({ ...SERVER, password: 'synthetic-db-secret-1' });
    expect(fake.callsTo('practiceServer.configure')).toHaveLength(0);

    right = true;
    fireEvent.click(screen.getByRole('button', { name: 'Test practice server connection' }));
    const okBox = await screen.findByTestId('practice-server-test-ok');
    expect(okBox.textContent).toMatch(/TLS 1\.3/);
    expect(okBox.textContent).toMatch(/PostgreSQL 15\.18/);
    expect(okBox.textContent).toMatch(/Nothing was saved yet/);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('Save and connect sends the settings once; the status then shows the password only as "set"', async () => {
    const fake = installFakeApi({ 'practiceServer.status': () => ok(NOT_SET), 'practiceServer.configure': () => ok(ACTIVE) });
    renderUi(<PracticeServerSettings />);
    await screen.findByTestId('practice-server-status');
    fillForm();
    fireEvent.click(screen.getByRole('button', { name: 'Save and connect' }));
    expect(await screen.findByTestId('practice-server-saved')).toBeTruthy();
    expect(fake.callsTo('practiceServer.configure')).toEqual([{ ...SERVER, password: 'synthetic-db-secret-1' }]);
    const status = screen.getByTestId('practice-server-status').textContent ?? '';
    expect(status).toMatch(/connected to db\.lakeside\.example, port 5432/);
    expect(status).toMatch(/Password: set/);
    expect(status).not.toContain('synthetic-db-secret-1');
    expect((screen.getByLabelText(/Database password/, { selector: 'input' }) as HTMLInputElement).value).toBe('');
  });

  it('after saving, the banner follows the link: not joined points to the join form above it; once joined it says so and that it shares every 30 seconds', async () => {
    const JOINED = { ...ACTIVE, link: { state: 'online' as const, workstationLabel: 'Front desk 1', lastSyncAt: null, conflicts: 0 } };
    installFakeApi({ 'practiceServer.status': () => ok(NOT_SET), 'practiceServer.configure': () => ok(ACTIVE), 'practiceServer.join': () => ok(JOINED), 'practiceServer.conflicts': () => ok([]) });
    renderUi(<PracticeServerSettings />);
    await screen.findByTestId('practice-server-status');
    fillForm();
    fireEvent.click(screen.getByRole('button', { name: 'Save and connect' }));
    const banner = await screen.findByTestId('practice-server-saved');
    expect(banner.textContent).toContain('under “This workstation and the practice” above');
    expect(banner.textContent).not.toContain('below');
    // The join form really is above the banner.
    const joinPanel = screen.getByTestId('practice-link');
    expect(joinPanel.compareDocumentPosition(banner) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    await act(async () => {
      await usePracticeServerStore.getState().join({ passphrase: 'synthetic admin passphrase', workstationLabel: 'Front desk 1' });
    });
    const joined = screen.getByTestId('practice-server-saved');
    expect(joined.textContent).toContain('connected and joined to the practice');
    expect(joined.textContent).toContain('As “Front desk 1”, it shares its requests and audit trail with the practice server every 30 seconds');
    expect(joined.textContent).not.toMatch(/Next, join/);
  });

  it('text that is not a certificate at all (“hello”) is told apart from a certificate that is no CA; an earlier refusal does not stay beside it', async () => {
    installFakeApi({
      'practiceServer.status': () => ok(NOT_SET),
      'practiceServer.test': () => fail('PRACTICE_SERVER_CA_INVALID', 'This is not a CA certificate (it may be the server’s own certificate). Ask your IT provider for the CA certificate that signed the server’s certificate.'),
    });
    renderUi(<PracticeServerSettings />);
    await screen.findByTestId('practice-server-status');
    fillForm();
    fireEvent.click(screen.getByRole('button', { name: 'Test practice server connection' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not a CA certificate/);

    type(/CA certificate/, 'hello');
    fireEvent.click(screen.getByRole('button', { name: 'Test practice server connection' }));
    expect(await screen.findByText('This is not a certificate in PEM form (it should begin with -----BEGIN CERTIFICATE-----). Paste the CA certificate your IT provider gave you.')).toBeTruthy();
    expect(screen.queryByText(/not a CA certificate/)).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('an empty password keeps the stored one (not sent); disconnect asks first, then says the password was erased', async () => {
    const fake = installFakeApi({
      'practiceServer.status': () => ok(ACTIVE),
      'practiceServer.test': () => ok(CHECK),
      'practiceServer.disconnect': () => ok({ ...ACTIVE, state: 'disconnected' as const, passwordSet: false }),
    });
    renderUi(<PracticeServerSettings />);
    await screen.findByText(/Password: set/);
    expect((screen.getByLabelText(/Database server/, { selector: 'input' }) as HTMLInputElement).value).toBe(SERVER.host);
    fireEvent.click(screen.getByRole('button', { name: 'Test practice server connection' }));
    await screen.findByTestId('practice-server-test-ok');
    expect(fake.callsTo('practiceServer.test')[0]).toEqual(SERVER);

    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    expect(await screen.findByText(/stored password is erased/)).toBeTruthy();
    expect(fake.callsTo('practiceServer.disconnect')).toHaveLength(0);
    const inDialog = screen.getAllByRole('button', { name: 'Disconnect' }).find((el) => el.closest('[role=dialog]'));
    fireEvent.click(inDialog!);
    expect(await screen.findByTestId('practice-server-disconnected', {}, { timeout: 5_000 })).toBeTruthy();
    expect(fake.callsTo('practiceServer.disconnect')).toHaveLength(1);
    expect(screen.getByTestId('practice-server-status').textContent).toMatch(/disconnected from db\.lakeside\.example.*enter it again/);
  });
});

describe('Settings → Practice server (front desk)', () => {
  it('shows the status and who sets it up, without the form', async () => {
    useAppStore.setState({ info: unlockedInfo('front_desk') });
    installFakeApi({ 'practiceServer.status': () => ok(ACTIVE) });
    renderUi(<PracticeServerSettings />);
    expect((await screen.findByTestId('practice-server-status')).textContent).toMatch(/connected to db\.lakeside\.example.*encrypted with TLS 1\.3, PostgreSQL 15\.18/);
    expect(screen.getByText('An administrator sets this up.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Test practice server connection' })).toBeNull();
    expect(screen.queryByLabelText(/Database password/)).toBeNull();
  });
});
