// @vitest-environment jsdom
/**
 * Settings → Staff accounts: deactivating a person cannot be undone, so it is asked first (like Disconnect), and the
 * question says what follows — on a joined workstation, on every workstation of the practice.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { StaffAccounts } from '../../../src/renderer/features/settings/StaffAccounts';
import { useAppStore } from '../../../src/renderer/lib/navigation';
import { installDomStubs, installFakeApi, ok, renderUi, unlockedInfo } from './harness';

beforeAll(installDomStubs);
afterEach(cleanup);

const AT = '2026-03-01T10:00:00.000Z';
const account = (id: string, name: string, role: 'administrator' | 'front_desk') => ({ id, name, role, active: true, mfaEnrolled: false, createdAt: AT, passphraseChangedAt: null, deactivatedAt: null });

describe('StaffAccounts', () => {
  beforeEach(() => useAppStore.setState({ info: unlockedInfo('administrator') }));

  it('asks before deactivating; "Keep the account" changes nothing; confirming deactivates that person only', async () => {
    const fake = installFakeApi({
      'accounts.list': () => ok([account('u-admin', 'Qwert Admin', 'administrator'), account('u-fran', 'Fran Frontdesk', 'front_desk')]),
      'settings.getSecurity': () => ok({ requireMfa: false, twoPersonRule: false }),
      'accounts.practiceStaff': () => ok({ joined: true, asOf: AT, accounts: [] }),
      'accounts.deactivate': () => ok({ ...account('u-fran', 'Fran Frontdesk', 'front_desk'), active: false, deactivatedAt: AT }),
    });
    renderUi(<StaffAccounts />);
    fireEvent.click(await screen.findByRole('button', { name: 'Deactivate Fran Frontdesk' }));
    const dialog = await screen.findByRole('dialog', { name: 'Deactivate Fran Frontdesk?' });
    expect(dialog.textContent).toMatch(/on any workstation of the practice/);
    expect(dialog.textContent).toMatch(/cannot be undone/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep the account' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsTo('accounts.deactivate')).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Deactivate Fran Frontdesk' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Deactivate Fran Frontdesk' }));
    await waitFor(() => expect(fake.callsTo('accounts.deactivate')).toEqual([{ userId: 'u-fran' }]));
  });
});
