// @vitest-environment jsdom
/**
 * Settings → Bounce mailbox: the fields are checked by the shared schema (`settings.updateBounceMailbox`) before
 * saving or testing — a missing server name is shown under its field and nothing is sent — and a stored mailbox is
 * saved again without a password, so the stored one is kept.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { BounceMailboxSettings } from '../../../src/renderer/features/settings/BounceMailboxSettings';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(cleanup);

describe('Settings: bounce mailbox', () => {
  it('an empty server name is shown under its field; neither save nor test sends anything', async () => {
    const fake = installFakeApi({});
    renderUi(<BounceMailboxSettings />);
    fireEvent.click(screen.getByRole('button', { name: 'Test mailbox connection' }));
    expect(await screen.findByText('Enter the mailbox server name.')).toBeTruthy();
    expect(screen.getByText('Enter the mailbox user name.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save bounce mailbox' }));
    await waitFor(() => expect(document.activeElement?.id).toBe('bounce-host'));
    expect(fake.callsTo('settings.testBounceMailbox')).toHaveLength(0);
    expect(fake.callsTo('settings.updateBounceMailbox')).toHaveLength(0);
  });

  it('a stored mailbox is shown and saved again without a password (the stored one is kept)', async () => {
    const stored = { host: 'imap.example.test', port: 993, username: 'bounces@example.test' };
    const fake = installFakeApi({ 'settings.getBounceMailbox': () => ok(stored), 'settings.updateBounceMailbox': () => ok(stored) });
    renderUi(<BounceMailboxSettings />);
    await waitFor(() => expect((screen.getByLabelText(/Mailbox server/) as HTMLInputElement).value).toBe('imap.example.test'));
    expect(screen.getByText('Stored in the vault. Leave empty to keep it.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save bounce mailbox' }));
    await waitFor(() => expect(fake.callsTo('settings.updateBounceMailbox')).toEqual([stored]));
    expect(await screen.findByText(/Bounce mailbox saved\./)).toBeTruthy();
  });
});
