// @vitest-environment jsdom
/**
 * Two small forms checked by the shared schemas before anything is sent: amending an open request (the reason and
 * the changed scope go to `requests.amend`; the categories the signed direction names stay within the scope) and
 * restoring a backup before setup (the passphrase is sent once and the field emptied, also when it was wrong).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { AmendRequest } from '../../../src/renderer/features/requests/AmendRequest';
import { RestoreBackup } from '../../../src/renderer/features/setup/RestoreBackup';
import type { RequestDetailT } from '../../../src/shared/contract';
import { fail, installDomStubs, installFakeApi, makeRequest, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(cleanup);

/** A patient-directed copy of visit notes and lab results whose signed direction names lab results. */
const request = (): RequestDetailT =>
  makeRequest({
    recipients: [{ name: 'Qwfp Clinic', destination: 'records@example.test' }],
    scope: { categories: ['visit_notes', 'lab_results'] },
    patientDirective: { inWriting: true, signed: true, recipientNamed: true, destinationNamed: true, namedCategories: ['lab_results'] },
  });

describe('Amend the request', () => {
  it('sends the reason and the new scope; a category taken out of the scope is no longer named by the direction', async () => {
    const d = request();
    const fake = installFakeApi({ 'requests.amend': () => ok(d) });
    renderUi(<AmendRequest d={d} canAmend />);
    fireEvent.click(screen.getByRole('button', { name: 'Amend the request…' }));
    const save = screen.getByRole('button', { name: 'Save the amendment' });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    const group = screen.getByRole('group', { name: 'Categories of records asked for' });
    fireEvent.click(group.querySelector<HTMLInputElement>('input[value="lab_results"]')!);
    fireEvent.change(screen.getByLabelText('Dates of service from (optional)'), { target: { value: '2026-01-01' } });
    fireEvent.change(screen.getByLabelText(/Why the request changes/), { target: { value: '  Patient asked for visit notes only  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the amendment' }));
    await waitFor(() => expect(fake.callsTo('requests.amend')).toHaveLength(1));
    expect(fake.callsTo('requests.amend')[0]).toEqual({
      requestId: 'req_000001',
      reason: '  Patient asked for visit notes only  ',
      scope: { categories: ['visit_notes'], from: '2026-01-01' },
      patientDirective: { inWriting: true, signed: true, recipientNamed: true, destinationNamed: true, namedCategories: [] },
    });
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Amend the request' })).toBeNull());
  });

  it('a refusal is shown and the form stays open with what was typed', async () => {
    const d = request();
    installFakeApi({ 'requests.amend': () => fail('VALIDATION_FAILED', 'The request cannot be amended.') });
    renderUi(<AmendRequest d={d} canAmend />);
    fireEvent.click(screen.getByRole('button', { name: 'Amend the request…' }));
    fireEvent.change(screen.getByLabelText(/Why the request changes/), { target: { value: 'Requester called' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the amendment' }));
    expect(await screen.findByText('The request was not amended')).toBeTruthy();
    expect((screen.getByLabelText(/Why the request changes/) as HTMLTextAreaElement).value).toBe('Requester called');
  });
});

describe('Restore a backup before setup', () => {
  it('sends the passphrase once and empties the field after a wrong one, showing the refusal without a field error', async () => {
    const fake = installFakeApi({ 'backup.restore': () => fail('WRONG_PASSPHRASE', 'The passphrase does not open this backup.') });
    renderUi(<RestoreBackup />);
    fireEvent.click(screen.getByRole('button', { name: 'Restore from a backup…' }));
    const field = screen.getByLabelText('Vault passphrase of the backup') as HTMLInputElement;
    expect((screen.getByRole('button', { name: 'Choose the backup folder and restore' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(field, { target: { value: 'not the right passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose the backup folder and restore' }));
    expect(await screen.findByText('The backup was not restored')).toBeTruthy();
    expect(fake.callsTo('backup.restore')).toEqual([{ passphrase: 'not the right passphrase' }]);
    expect(field.value).toBe('');
    expect(field.getAttribute('aria-invalid')).not.toBe('true');
  });

  it('a cancelled folder choice changes nothing and says so', async () => {
    installFakeApi({ 'backup.restore': () => ok({ restored: false, requests: 0, releases: 0, eventsVerified: 0 }) });
    renderUi(<RestoreBackup />);
    fireEvent.click(screen.getByRole('button', { name: 'Restore from a backup…' }));
    fireEvent.change(screen.getByLabelText('Vault passphrase of the backup'), { target: { value: 'correct horse battery staple' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose the backup folder and restore' }));
    expect(await screen.findByText('No folder chosen; nothing changed.')).toBeTruthy();
  });
});
