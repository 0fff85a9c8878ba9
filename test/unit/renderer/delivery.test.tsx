// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { DeliveryStep } from '../../../src/renderer/features/release-wizard/steps/DeliveryStep';
import { SendStep } from '../../../src/renderer/features/release-wizard/steps/SendStep';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import { RecipientStep } from '../../../src/renderer/features/release-wizard/steps/RecipientStep';
import { registerPrintableOpener } from '../../../src/renderer/platform/printable';
import type { ChannelOutput, TransmissionT } from '../../../src/shared/contract';
import { DOC, installDomStubs, installFakeApi, makeRelease, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  registerPrintableOpener(null);
  useWizardStore.getState().leave();
  useWizardStore.setState({ release: null, evaluation: null, request: null, step: 0, busy: null, error: null, sendError: null, delivery: null, deliveryError: null, method: null, oneTime: null, exported: null, printable: null, progress: null });
});

const NO_KEY = makeRelease({
  documents: [{ ...DOC, category: 'visit_notes', documentDate: '2026-02-01' }],
  documentCount: 1,
  recipient: { name: 'Qwfp Recipient', email: 'qwfp@example.test', key: null, fingerprintConfirmed: false, addressConfirmed: null },
  recipientName: 'Qwfp Recipient',
});

const LADDER: ChannelOutput<'releases.deliveryOptions'> = {
  rungs: [
    { method: 'openpgp-pgp-mime', label: 'Encrypted email (OpenPGP)', available: false, strength: 5, reason: 'The recipient has no OpenPGP key whose fingerprint was confirmed.' },
    { method: 'password-pdf', label: 'Password-protected PDF by email', available: true, strength: 4, reason: null },
    { method: 'tls-only-email', label: 'Unencrypted email (at the patient’s request)', available: false, strength: 3, reason: 'The patient has not been warned of the risk of unencrypted email.' },
    { method: 'export', label: 'Save to a folder or USB drive (password-protected)', available: true, strength: 2, reason: null },
    { method: 'print', label: 'Print for mail or pickup', available: true, strength: 1, reason: null },
  ],
  defaultMethod: 'password-pdf',
  acknowledgmentId: null,
  messageLimitBytes: 18_000_000,
};

const PASSPHRASE = 'fog-tenant-logic-more-prize-duck';

function transmission(over: Partial<TransmissionT> = {}): TransmissionT {
  return {
    id: 'trn_000001', releaseId: NO_KEY.id, releaseReference: NO_KEY.reference, at: '2026-03-03T15:00:00.000Z', sender: 'records@clinic.example.test',
    recipientName: 'Qwfp Recipient', recipientEmail: 'qwfp@example.test', method: 'password-pdf', documents: [{ label: DOC.label, sha256: DOC.sha256, pageCount: 3 }],
    messageId: '<m1@clinic.example.test>', smtpResponse: '250 OK', tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384', recipientKeyFingerprint: '',
    partsTotal: 1, partsSent: 1, packetSha256: 'cd'.repeat(32),
    parts: [{ part: 1, of: 1, status: 'sent', messageId: '<m1@clinic.example.test>', at: '2026-03-03T15:00:00.000Z', smtpResponse: '250 OK', errorCode: null, attempts: 1, resolution: null }],
    requestId: null, legalBasis: null, authorizationId: null, acknowledgmentId: null, closedReason: null, ...over,
  };
}

describe('DeliveryStep: the ladder', () => {
  it('lists the rungs strongest first, says why unavailable ones cannot be used, preselects the default and records a choice', async () => {
    const fake = installFakeApi({ 'releases.deliveryOptions': () => ok(LADDER) });
    useWizardStore.setState({ release: NO_KEY, step: 3 });
    renderUi(<DeliveryStep />);
    const group = await screen.findByRole('radiogroup', { name: /How should the records reach the recipient/ });
    expect(fake.callsTo('releases.deliveryOptions')).toEqual([{ releaseId: NO_KEY.id }]);
    const radios = within(group).getAllByRole('radio');
    expect(radios.map((r) => r.getAttribute('aria-label'))).toEqual(LADDER.rungs.map((r) => r.label));
    expect(radios.map((r) => r.getAttribute('data-method'))).toEqual(['openpgp-pgp-mime', 'password-pdf', 'tls-only-email', 'export', 'print']);
    // Unavailable: disabled, with the reason from main as its description.
    expect((radios[0] as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('rung-reason-openpgp-pgp-mime').textContent).toContain('no OpenPGP key');
    expect(document.getElementById(radios[0]!.getAttribute('aria-describedby')!)?.textContent).toContain('Why not:');
    expect((radios[2] as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('rung-reason-tls-only-email').textContent).toContain('not been warned');
    // The desktop app has no print channel yet: print is offered only where a printable opener is registered.
    expect((radios[4] as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('rung-reason-print').textContent).toContain('desktop app');
    expect(screen.queryByTestId('rung-reason-password-pdf')).toBeNull();
    // The default is preselected; choosing another available rung records it.
    expect(radios[1]!.getAttribute('aria-checked')).toBe('true');
    expect(useWizardStore.getState().method).toBe('password-pdf');
    fireEvent.click(radios[3]!);
    expect(useWizardStore.getState().method).toBe('export');
    await waitFor(() => expect(radios[3]!.getAttribute('aria-checked')).toBe('true'));
    expect(radios[1]!.getAttribute('aria-checked')).toBe('false');
  });

  it('offers print where the platform can open the packet (browser preview)', async () => {
    registerPrintableOpener(() => {});
    installFakeApi({ 'releases.deliveryOptions': () => ok(LADDER) });
    useWizardStore.setState({ release: NO_KEY, step: 3 });
    renderUi(<DeliveryStep />);
    const print = await screen.findByRole('radio', { name: 'Print for mail or pickup' });
    expect((print as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByTestId('rung-reason-print')).toBeNull();
  });
});

describe('RecipientStep: the OpenPGP key is optional', () => {
  it('without a key asks neither for the key nor the fingerprint confirmation and saves the recipient without one', async () => {
    const saved = makeRelease({ ...NO_KEY });
    const fake = installFakeApi({
      'releases.setRecipient': () => ok(saved),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
      'recipients.checkEmail': () => ok({ valid: true, problem: null, suggestion: null, warning: null }),
    });
    useWizardStore.setState({ release: makeRelease({ documents: NO_KEY.documents, documentCount: 1 }), step: 2 });
    renderUi(<RecipientStep />);
    fireEvent.change(screen.getByLabelText(/Recipient name/), { target: { value: 'Qwfp Recipient' } });
    fireEvent.change(screen.getByLabelText(/Recipient email/), { target: { value: 'qwfp@example.test' } });
    // A newly typed address is typed a second time (never prefilled).
    expect((document.getElementById('recipient-email-confirm') as HTMLInputElement).value).toBe('');
    fireEvent.change(document.getElementById('recipient-email-confirm')!, { target: { value: 'QWFP@example.test ' } });
    expect(document.getElementById('recipient-key')).not.toBeNull();
    const hasKey = screen.getByRole('switch') as HTMLInputElement; // "The recipient has an OpenPGP key" (named by its label in Chromium, see the e2e)
    expect(hasKey.checked).toBe(true);
    fireEvent.click(hasKey);
    expect(document.getElementById('recipient-key')).toBeNull();
    expect(document.getElementById('recipient-confirm')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save recipient' }));
    await waitFor(() => expect(fake.callsTo('releases.setRecipient')).toHaveLength(1));
    expect(fake.callsTo('releases.setRecipient')[0]).toEqual({ releaseId: NO_KEY.id, name: 'Qwfp Recipient', email: 'qwfp@example.test', fingerprintConfirmed: false, addressConfirmed: false });
    await waitFor(() => expect(useWizardStore.getState().step).toBe(3));
  });
});

describe('SendStep: progress and the one-time passphrase', () => {
  it('drives the progress bar from progress events (phase label and percent)', async () => {
    let finish: (v: unknown) => void = () => {};
    const fake = installFakeApi({
      'releases.send': () => new Promise((resolve) => { finish = resolve as (v: unknown) => void; }),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: NO_KEY, method: 'password-pdf', step: 5 });
    renderUi(<SendStep />);
    let sending!: Promise<void>;
    act(() => { sending = useWizardStore.getState().send(); });
    expect(await screen.findByTestId('progress-phase')).toBeTruthy();
    expect(fake.callsTo('releases.send')).toEqual([{ releaseId: NO_KEY.id, method: 'password-pdf' }]);
    const bar = () => screen.getByRole('progressbar');
    act(() => fake.emit('progress', { operation: 'assemble', releaseId: NO_KEY.id, done: 1, total: 4 }));
    expect(screen.getByTestId('progress-phase').textContent).toContain('Putting the packet together… 25 %');
    expect(bar().getAttribute('aria-valuenow')).toBe('25');
    act(() => fake.emit('progress', { operation: 'encrypt', releaseId: NO_KEY.id, done: 1, total: 1 }));
    expect(screen.getByTestId('progress-phase').textContent).toContain('Encrypting… 100 %');
    act(() => fake.emit('progress', { operation: 'send', releaseId: NO_KEY.id, done: 1, total: 2 }));
    expect(screen.getByTestId('progress-phase').textContent).toContain('Sending to the email server… 50 %');
    expect(bar().getAttribute('aria-valuenow')).toBe('50');
    // Another release's progress does not move this bar.
    act(() => fake.emit('progress', { operation: 'send', releaseId: 'rel_other1', done: 2, total: 2 }));
    expect(bar().getAttribute('aria-valuenow')).toBe('50');
    const sent = makeRelease({ ...NO_KEY, status: 'sent', transmissions: [transmission()] });
    await act(async () => {
      finish(ok({ release: sent, transmission: transmission() }));
      await sending;
    });
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(useWizardStore.getState().progress).toBeNull();
  });

  it('shows the passphrase; Done (given to the recipient) erases it in main and from the store and the DOM; reopening never shows it', async () => {
    const sent = makeRelease({ ...NO_KEY, status: 'sent', transmissions: [transmission()] });
    const fake = installFakeApi({
      'releases.passphraseGiven': () => ok({}),
      'releases.send': () => ok({ release: sent, transmission: transmission(), passphrase: PASSPHRASE, staffInstructions: 'Call the recipient and read this passphrase to them.' }),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
      'releases.get': () => ok(sent),
    });
    useWizardStore.setState({ release: NO_KEY, method: 'password-pdf', step: 5 });
    const { container } = renderUi(<SendStep />);
    await act(() => useWizardStore.getState().send());
    const panel = await screen.findByTestId('one-time-panel');
    expect(screen.getByTestId('one-time-passphrase').textContent).toBe(PASSPHRASE);
    expect(within(panel).getByText('Call the recipient and read this passphrase to them.')).toBeTruthy();
    const done = within(panel).getByRole('button', { name: 'Done' }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    fireEvent.click(within(panel).getByRole('checkbox', { name: /gave the passphrase to the recipient/ }));
    expect(done.disabled).toBe(false);
    fireEvent.click(done);
    await waitFor(() => expect(fake.callsTo('releases.passphraseGiven')).toEqual([{ releaseId: sent.id }]));
    expect(useWizardStore.getState().oneTime).toBeNull();
    expect(JSON.stringify(useWizardStore.getState())).not.toContain(PASSPHRASE);
    expect(screen.queryByTestId('one-time-panel')).toBeNull();
    expect(container.innerHTML).not.toContain('fog');
    expect(document.body.innerHTML).not.toContain(PASSPHRASE);
    expect(screen.getByTestId('sent-method').textContent).toBe('Password-protected PDF');
    // Re-opening the release (navigating back) shows the transmission, never the passphrase.
    await act(() => useWizardStore.getState().open(sent.id));
    expect(screen.queryByTestId('one-time-panel')).toBeNull();
    expect(document.body.innerHTML).not.toContain(PASSPHRASE);
  });

  it('forgets the passphrase when the wizard is left without pressing Done', async () => {
    const sent = makeRelease({ ...NO_KEY, status: 'sent', transmissions: [transmission({ method: 'export', messageId: '', smtpResponse: '', tlsProtocol: '', tlsCipher: '', parts: [] })] });
    installFakeApi({
      'releases.export': () => ok({ saved: true, files: [{ name: 'release-R-0001.pdf', bytes: 2048, sha256: 'ef'.repeat(32) }, { name: 'README.txt', bytes: 300, sha256: '01'.repeat(32) }], passphrase: PASSPHRASE, staffInstructions: 'Call the recipient.', transmission: sent.transmissions[0]!, release: sent }),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: NO_KEY, method: 'export', step: 5 });
    renderUi(<SendStep />);
    await act(() => useWizardStore.getState().send());
    expect(screen.getByTestId('one-time-passphrase').textContent).toBe(PASSPHRASE);
    expect(within(screen.getByTestId('export-files')).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'release-R-0001.pdf — 2,048 bytes',
      'README.txt — 300 bytes',
    ]);
    act(() => useWizardStore.getState().leave());
    expect(useWizardStore.getState().oneTime).toBeNull();
    expect(document.body.innerHTML).not.toContain(PASSPHRASE);
  });

  it('a partly sent release lists its parts and retries the rest with the same method, without a new passphrase', async () => {
    const partly = makeRelease({
      ...NO_KEY,
      status: 'partly_sent',
      deliveryMethod: 'password-pdf',
      transmissions: [transmission({ partsTotal: 2, partsSent: 1, parts: [
        { part: 1, of: 2, status: 'sent', messageId: '<p1@x>', at: '2026-03-03T15:00:00.000Z', smtpResponse: '250 OK', errorCode: null, attempts: 1, resolution: null },
        { part: 2, of: 2, status: 'failed', messageId: '<p2@x>', at: null, smtpResponse: null, errorCode: 'SMTP_REJECTED', attempts: 1, resolution: null },
      ] })],
    });
    const done = makeRelease({ ...partly, status: 'sent', transmissions: [transmission({ partsTotal: 2, partsSent: 2 })] });
    const fake = installFakeApi({
      'releases.send': () => ok({ release: done, transmission: done.transmissions[0]! }),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: partly, method: null, step: 5 });
    renderUi(<SendStep />);
    const rows = within(screen.getByRole('table', { name: 'Parts of this release' })).getAllByRole('row');
    expect(rows.slice(1).map((r) => r.getAttribute('data-part-status'))).toEqual(['sent', 'failed']);
    expect(rows[2]!.textContent).toContain('SMTP_REJECTED');
    fireEvent.click(screen.getByRole('button', { name: 'Send the remaining parts' }));
    await screen.findByText('Sent');
    // The stored messages go out with the method they were prepared with: no method is sent again.
    expect(fake.callsTo('releases.send')).toEqual([{ releaseId: partly.id }]);
    expect(screen.queryByTestId('one-time-panel')).toBeNull();
  });

  it('print prepares the packet and opens it through the platform opener (by id only)', async () => {
    const opened: string[] = [];
    registerPrintableOpener((id) => opened.push(id));
    const printed = makeRelease({ ...NO_KEY, status: 'sent', transmissions: [transmission({ method: 'print', messageId: '', smtpResponse: '', tlsProtocol: '', tlsCipher: '', parts: [] })] });
    const fake = installFakeApi({
      'releases.printable': () => ok({ printableId: 'prn_000001', pageCount: 4, jobTitle: 'Release R-0001', transmission: printed.transmissions[0]!, release: printed }),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: NO_KEY, method: 'print', step: 5 });
    renderUi(<SendStep />);
    await act(() => useWizardStore.getState().send());
    expect(fake.callsTo('releases.printable')).toEqual([{ releaseId: NO_KEY.id }]);
    expect(fake.callsTo('releases.send')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Open the print packet (4 pages)' }));
    expect(opened).toEqual(['prn_000001']);
    expect(screen.queryByTestId('one-time-panel')).toBeNull();
  });
});
