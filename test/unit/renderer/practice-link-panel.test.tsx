// @vitest-environment jsdom
/**
 * Settings → Practice server, the link, with a fake window.api: the link state in plain words ("Connected", "Working
 * offline — changes are kept on this computer…"), joining (administrators: a name for the workstation and their
 * passphrase, checked before anything is sent), "Share now", and "Needs a decision": each conflict's differing
 * fields side by side and the two choices, sent once with the conflict's id.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { PracticeServerSettings } from '../../../src/renderer/features/settings/practice-server/PracticeServerSettings';
import { useAppStore } from '../../../src/renderer/lib/navigation';
import { resetAllStores } from '../../../src/renderer/lib/stores';
import { fail, installDomStubs, installFakeApi, ok, renderUi, unlockedInfo } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  resetAllStores();
  useAppStore.setState({ info: null, error: null, screen: { name: 'requests' } });
});

const CHECK = { serverVersion: '15.18', tlsVersion: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384', at: '2026-03-10T15:00:00.000Z' };
const SERVER = { host: 'db.lakeside.example', port: 5432, database: 'practice', user: 'releasedesk', caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
const link = (state: 'online' | 'offline' | 'not_joined', conflicts = 0) => ({ state, workstationLabel: state === 'not_joined' ? null : 'Front desk 1', lastSyncAt: state === 'not_joined' ? null : '2026-03-10T15:05:00.000Z', conflicts });
const active = (l: ReturnType<typeof link>) => ({ state: 'active' as const, server: SERVER, passwordSet: true, caFingerprint: 'AB:CD', verified: CHECK, link: l });
const CONFLICT = {
  id: 'conflict_0001',
  requestId: 'req_0001',
  reference: 'Q-2026-00002',
  patientName: 'Zyxwv Testpatient',
  detectedAt: '2026-03-10T15:06:00.000Z',
  fields: [{ label: 'Status', workstation: 'Verifying identity', server: 'Withdrawn' }],
};

describe('Settings → Practice server: the link', () => {
  it('says "Connected" with the workstation and last share, lists a conflict side by side, and sends a decision once', async () => {
    useAppStore.setState({ info: unlockedInfo('front_desk') });
    let remaining = [CONFLICT];
    const fake = installFakeApi({
      'practiceServer.status': () => ok(active(link('online', remaining.length))),
      'practiceServer.conflicts': () => ok(remaining),
      'practiceServer.resolveConflict': () => {
        remaining = [];
        return ok([]);
      },
    });
    renderUi(<PracticeServerSettings />);
    const state = await screen.findByTestId('practice-link-state');
    expect(state.textContent).toMatch(/Connected/);
    expect(state.textContent).toMatch(/“Front desk 1”/);
    expect(state.textContent).toMatch(/Last shared:/);
    const card = await screen.findByTestId('practice-conflict');
    expect(within(card).getByText('Request Q-2026-00002 — Zyxwv Testpatient')).toBeTruthy();
    const row = within(card).getByRole('rowheader', { name: 'Status' }).closest('tr')!;
    expect(row.textContent).toContain('Verifying identity');
    expect(row.textContent).toContain('Withdrawn');
    fireEvent.click(within(card).getByRole('button', { name: 'Keep this workstation’s version of request Q-2026-00002' }));
    expect(await screen.findByTestId('practice-link-decided')).toBeTruthy();
    expect(fake.callsTo('practiceServer.resolveConflict')).toEqual([{ conflictId: 'conflict_0001', keep: 'workstation' }]);
    await waitFor(() => expect(screen.queryByTestId('practice-conflict')).toBeNull());
  });

  it('says "Working offline" and that changes are kept on this computer', async () => {
    useAppStore.setState({ info: unlockedInfo('front_desk') });
    installFakeApi({ 'practiceServer.status': () => ok(active(link('offline'))), 'practiceServer.conflicts': () => ok([]) });
    renderUi(<PracticeServerSettings />);
    expect((await screen.findByTestId('practice-link-state')).textContent).toMatch(/Working offline.*changes are kept on this computer and shared when the server is back/i);
  });

  it('lets an administrator join: checks the name and passphrase before sending, then sends them once', async () => {
    useAppStore.setState({ info: unlockedInfo('administrator') });
    const fake = installFakeApi({
      'practiceServer.status': () => ok(active(link('not_joined'))),
      'practiceServer.join': () => ok(active(link('online'))),
      'practiceServer.conflicts': () => ok([]),
    });
    renderUi(<PracticeServerSettings />);
    expect((await screen.findByTestId('practice-link-state')).textContent).toMatch(/Not joined yet/);
    fireEvent.click(screen.getByRole('button', { name: 'Join the practice' }));
    expect(await screen.findByText(/Give this workstation a short name/)).toBeTruthy();
    expect(fake.callsTo('practiceServer.join')).toHaveLength(0);
    fireEvent.change(screen.getByLabelText(/Name of this workstation/, { selector: 'input' }), { target: { value: 'Front desk 1' } });
    fireEvent.change(screen.getByLabelText(/Your passphrase/, { selector: 'input' }), { target: { value: 'synthetic passphrase 42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join the practice' }));
    await waitFor(() => expect(screen.getByTestId('practice-link-state').textContent).toMatch(/Connected/));
    expect(fake.callsTo('practiceServer.join')).toEqual([{ passphrase: 'synthetic passphrase 42', workstationLabel: 'Front desk 1' }]);
  });

  it('a refused join empties the passphrase without flagging it as missing; the refusal is the one message shown', async () => {
    useAppStore.setState({ info: unlockedInfo('administrator') });
    installFakeApi({
      'practiceServer.status': () => ok(active(link('not_joined'))),
      'practiceServer.join': () => fail('WRONG_PASSPHRASE', 'That passphrase does not open the practice key.'),
      'practiceServer.conflicts': () => ok([]),
    });
    renderUi(<PracticeServerSettings />);
    await screen.findByTestId('practice-link-state');
    fireEvent.change(screen.getByLabelText(/Name of this workstation/, { selector: 'input' }), { target: { value: 'Front desk 2' } });
    fireEvent.change(screen.getByLabelText(/Your passphrase/, { selector: 'input' }), { target: { value: 'not the right one 42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join the practice' }));
    expect(await screen.findByText(/does not open the practice key/)).toBeTruthy();
    expect((screen.getByLabelText(/Your passphrase/, { selector: 'input' }) as HTMLInputElement).value).toBe('');
    expect(screen.queryByText('Enter your passphrase.')).toBeNull();
  });

  it('shows front desk that an administrator joins the workstation (no join form)', async () => {
    useAppStore.setState({ info: unlockedInfo('front_desk') });
    installFakeApi({ 'practiceServer.status': () => ok(active(link('not_joined'))) });
    renderUi(<PracticeServerSettings />);
    expect(await screen.findByText('An administrator joins this workstation to the practice.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Join the practice' })).toBeNull();
  });
});
