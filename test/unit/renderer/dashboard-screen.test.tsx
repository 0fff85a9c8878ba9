// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { DashboardScreen, screenFor } from '../../../src/renderer/features/dashboard/DashboardScreen';
import { useDashboardStore } from '../../../src/renderer/features/dashboard/store';
import { useAppStore } from '../../../src/renderer/lib/navigation';
import type { ChannelOutput } from '../../../src/shared/contract';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useDashboardStore.setState({ data: null, error: null });
  useAppStore.setState({ screen: { name: 'dashboard' } });
});

type D = ChannelOutput<'dashboard.get'>;
const item = (kind: D['items'][number]['kind'], severity: D['items'][number]['severity'], title: string, action: string, target: D['items'][number]['target']) => ({
  kind,
  severity,
  title,
  detail: 'Detail.',
  action,
  target,
});
const DASH: D = {
  asOf: '2026-03-10',
  items: [
    item('request_overdue', 'critical', 'Request Q-2026-00001 is overdue', 'Open request Q-2026-00001', { screen: 'request', id: 'req_000001' }),
    item('release_bounced', 'critical', 'Release R-2026-00002 was returned as undeliverable', 'Open release R-2026-00002', { screen: 'wizard', id: 'rel_000002' }),
    item('release_unconfirmed', 'warning', 'Release R-2026-00003 is unconfirmed', 'Open the outbox', { screen: 'outbox', id: null }),
    item('key_expiring', 'warning', 'The practice key expires on 2026-03-20', 'Open Settings', { screen: 'settings', id: null }),
    item('chain_problem', 'critical', 'The audit log does not verify', 'Open the audit log', { screen: 'audit', id: null }),
  ],
  chain: { intact: false, lastSeq: 12, latestCheckpointAt: null },
  posture: [
    { key: 'vault_encrypted', ok: true, label: 'Vault encrypted', fix: null, target: null },
    { key: 'bounce_mailbox', ok: false, label: 'No bounce mailbox', fix: 'Add the mailbox that receives returned emails.', target: { screen: 'settings', id: null } },
  ],
  lastBackupAt: null,
};

describe('DashboardScreen', () => {
  it('maps every target to the screen where it is fixed', () => {
    expect(screenFor({ screen: 'request', id: 'req_000001' })).toEqual({ name: 'request', requestId: 'req_000001' });
    expect(screenFor({ screen: 'wizard', id: 'rel_000002' })).toEqual({ name: 'wizard', releaseId: 'rel_000002' });
    expect(screenFor({ screen: 'outbox', id: null })).toEqual({ name: 'outbox' });
    expect(screenFor({ screen: 'settings', id: null })).toEqual({ name: 'settings' });
    expect(screenFor({ screen: 'audit', id: null })).toEqual({ name: 'audit' });
    expect(screenFor({ screen: 'requests', id: null })).toEqual({ name: 'requests' });
  });

  it('groups items under plain headings with counts, says so calmly when a group is empty, and each button navigates', async () => {
    installFakeApi({ 'dashboard.get': () => ok(DASH) });
    renderUi(<DashboardScreen />);
    const heading = screen.getByRole('heading', { level: 1, name: 'Today' });
    expect(document.activeElement).toBe(heading);
    expect(await screen.findByText('Request Q-2026-00001 is overdue')).toBeTruthy();
    expect(screen.getByTestId('count-overdue').textContent).toBe('1');
    expect(screen.getByTestId('count-releases').textContent).toBe('2');
    expect(within(screen.getByTestId('dash-outbox')).getByText('The outbox is empty.')).toBeTruthy();
    expect(within(screen.getByTestId('dash-releases')).getByText('Bounced')).toBeTruthy(); // in words, not colour alone
    expect(within(screen.getByTestId('dash-chain')).getByText('The audit log does not verify')).toBeTruthy();
    expect(screen.getByText(/To do:/).parentElement?.textContent).toContain('No bounce mailbox');

    const go = (name: string) => {
      fireEvent.click(screen.getByRole('button', { name }));
      return useAppStore.getState().screen;
    };
    expect(go('Open request Q-2026-00001')).toEqual({ name: 'request', requestId: 'req_000001' });
    expect(go('Open release R-2026-00002')).toEqual({ name: 'wizard', releaseId: 'rel_000002' });
    expect(go('Open the outbox')).toEqual({ name: 'outbox' });
    expect(go('Open Settings')).toEqual({ name: 'settings' });
    expect(go('Fix in Settings')).toEqual({ name: 'settings' });
  });

  it('tells front desk whom to ask for a fix their role cannot make, instead of sending them to Settings', async () => {
    const withNeeds: D = {
      ...DASH,
      items: [
        item('backup_due', 'warning', 'No backup has been made yet', 'Back up now in Settings', { screen: 'settings', id: null, needs: 'backup.create' }),
        item('request_due', 'warning', 'Request Q-2026-00004 is due', 'Open request Q-2026-00004', { screen: 'request', id: 'req_000004' }),
      ],
      posture: [{ key: 'bounce_mailbox', ok: false, label: 'No bounce mailbox', fix: 'Add the mailbox that receives returned emails.', target: { screen: 'settings', id: null, needs: 'settings.updateBounceMailbox' } }],
    };
    useAppStore.setState({ info: { user: { role: 'front_desk' } } as never });
    installFakeApi({ 'dashboard.get': () => ok(withNeeds) });
    renderUi(<DashboardScreen />);
    const backup = (await screen.findByText('No backup has been made yet')).closest('li')!;
    expect(within(backup as HTMLElement).queryByRole('button')).toBeNull();
    expect(within(backup as HTMLElement).getByText('Tell your privacy officer.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Open request Q-2026-00004' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Fix in Settings' })).toBeNull();
    expect(within(screen.getByTestId('dash-posture')).getByText('Tell an administrator.')).toBeTruthy();

    cleanup();
    useAppStore.setState({ info: { user: { role: 'privacy_officer' } } as never });
    renderUi(<DashboardScreen />);
    expect(await screen.findByRole('button', { name: 'Back up now in Settings' })).toBeTruthy();
    expect(within(screen.getByTestId('dash-posture')).getByText('Tell an administrator.')).toBeTruthy();
  });

  it('a file that shows another patient is on Today: officers get the button to approve or decline, front desk are told whom to ask', async () => {
    const waiting: D = {
      ...DASH,
      items: [
        {
          kind: 'patient_confirm_waiting',
          severity: 'critical',
          title: 'Release R-2026-00005 has 1 file that shows another patient',
          detail: 'A privacy officer must approve it before it can be sent. Ask your privacy officer to open the release.',
          action: 'Approve or decline in release R-2026-00005',
          target: { screen: 'wizard', id: 'rel_000005', needs: 'documents.decidePatientConfirm' },
        },
      ],
    };
    useAppStore.setState({ info: { user: { role: 'front_desk' } } as never });
    installFakeApi({ 'dashboard.get': () => ok(waiting) });
    renderUi(<DashboardScreen />);
    const row = (await screen.findByText('Release R-2026-00005 has 1 file that shows another patient')).closest('li')!;
    expect(within(row as HTMLElement).getByText('Needs a privacy officer')).toBeTruthy();
    expect(within(row as HTMLElement).queryByRole('button')).toBeNull();
    expect(within(row as HTMLElement).getByText('Tell your privacy officer.')).toBeTruthy();

    cleanup();
    useAppStore.setState({ info: { user: { role: 'privacy_officer' } } as never });
    renderUi(<DashboardScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Approve or decline in release R-2026-00005' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'wizard', releaseId: 'rel_000005' });
  });
});
