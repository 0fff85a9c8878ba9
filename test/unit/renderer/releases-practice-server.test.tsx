// @vitest-environment jsdom
/**
 * The Releases screen with a practice server (issue #17): a release waiting for the practice server says so in plain
 * words and what happens next; a release sent through the practice outbox names the workstation that sent it; a
 * release sent from this workstation says nothing more; in the Outbox, a release in the practice outbox of which nothing
 * was sent can be taken out or cancelled (the same `releases.withdraw` channel). Axe finds no violation (contrast is
 * checked in Chromium).
 */
import axe from 'axe-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { OutboxScreen } from '../../../src/renderer/features/outbox/OutboxScreen';
import { useOutboxStore } from '../../../src/renderer/features/outbox/store';
import { ReleasesScreen } from '../../../src/renderer/features/releases/ReleasesScreen';
import { useReleasesStore } from '../../../src/renderer/features/releases/store';
import { SendStep } from '../../../src/renderer/features/release-wizard/steps/SendStep';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import type { OutboxEntryT, ReleaseSummaryT, TransmissionT } from '../../../src/shared/contract';
import { installDomStubs, installFakeApi, makeRelease, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useReleasesStore.setState({ releases: null, error: null });
});

const summary = (over: Partial<ReleaseSummaryT>): ReleaseSummaryT => ({
  id: 'rel_000001',
  reference: 'R-2026-00001',
  status: 'sent',
  createdAt: '2026-12-07T09:00:00.000Z',
  patientName: 'Zyxwv Testpatient',
  recipientName: 'Abcde Lawfirm Intake',
  documentCount: 1,
  requestId: null,
  requestReference: null,
  ...over,
});

describe('the Releases screen with a practice server', () => {
  it('says when a release waits for the practice server and which workstation sent one; axe-clean', async () => {
    installFakeApi({
      'releases.list': () =>
        ok([
          summary({ id: 'rel_000001', reference: 'R-2026-00001', status: 'waiting_for_server' }),
          summary({ id: 'rel_000002', reference: 'R-2026-00002', status: 'with_practice_server' }),
          summary({ id: 'rel_000003', reference: 'R-2026-00003', status: 'sent', sentByWorkstation: 'Front desk B [b2b2b2b2]' }),
          summary({ id: 'rel_000004', reference: 'R-2026-00004', status: 'sent' }),
        ]),
    });
    const { container } = renderUi(<ReleasesScreen />);
    expect(await screen.findByText('Waiting for the practice server')).toBeTruthy();
    expect(screen.getByText('Kept on this computer; sent when the practice server is back.')).toBeTruthy();
    expect(screen.getByText('In the practice outbox — sending')).toBeTruthy();
    const by = screen.getAllByTestId('sent-by-workstation');
    expect(by.map((e) => e.textContent)).toEqual(['Sent by the workstation “Front desk B”']);
    const r = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(r.violations.map((v) => v.id)).toEqual([]);
  });

  it('names a sending workstation by its label alone, adding its id only when two workstations share the label', async () => {
    installFakeApi({
      'releases.list': () =>
        ok([
          summary({ id: 'rel_000001', reference: 'R-2026-00001', status: 'sent', sentByWorkstation: 'Front desk 1 [d24f472b]' }),
          summary({ id: 'rel_000002', reference: 'R-2026-00002', status: 'sent', sentByWorkstation: 'Front desk 1 [a1a1a1a1]' }),
          summary({ id: 'rel_000003', reference: 'R-2026-00003', status: 'sent', sentByWorkstation: 'Back office [c3c3c3c3]' }),
          summary({ id: 'rel_000004', reference: 'R-2026-00004', status: 'sent', sentByWorkstation: 'Back office [c3c3c3c3]' }),
        ]),
    });
    renderUi(<ReleasesScreen />);
    await screen.findAllByTestId('sent-by-workstation');
    expect(screen.getAllByTestId('sent-by-workstation').map((e) => e.textContent)).toEqual([
      'Sent by the workstation “Front desk 1 (workstation d24f472b)”',
      'Sent by the workstation “Front desk 1 (workstation a1a1a1a1)”',
      'Sent by the workstation “Back office”',
      'Sent by the workstation “Back office”',
    ]);
  });
});

const TX: TransmissionT = {
  id: 'tx_000001',
  releaseId: 'rel_000001',
  releaseReference: 'R-2026-00001',
  at: '2026-12-07T09:00:00.000Z',
  sender: 'records@clinic.example.test',
  recipientName: 'Abcde Lawfirm Intake',
  recipientEmail: 'intake@lawfirm.example.test',
  method: 'password-pdf',
  documents: [],
  messageId: '<rd.1@clinic.example.test>',
  smtpResponse: '',
  tlsProtocol: '',
  tlsCipher: '',
  recipientKeyFingerprint: '',
  partsTotal: 1,
  partsSent: 0,
  packetSha256: null,
  parts: [{ part: 1, of: 1, status: 'pending', messageId: '<rd.1@clinic.example.test>', at: null, smtpResponse: null, errorCode: null, attempts: 0, resolution: null }],
  requestId: null,
  legalBasis: null,
  authorizationId: null,
  acknowledgmentId: null,
  closedReason: null,
};

describe('the Send step with a practice server', () => {
  afterEach(() => useWizardStore.setState({ release: null, step: 0, busy: null, error: null, sendError: null }));

  it('a waiting release says it is kept on this computer and what happens next, with Try now; one in the practice outbox says who sends it; axe-clean', async () => {
    installFakeApi({});
    useWizardStore.setState({ release: makeRelease({ status: 'waiting_for_server', transmissions: [TX] }), step: 5 });
    const { container, unmount } = renderUi(<SendStep />);
    expect(screen.getByText('Waiting for the practice server — not sent yet')).toBeTruthy();
    expect(screen.getByText(/kept, encrypted, on this computer/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try now' })).toBeTruthy();
    expect((await axe.run(container, { rules: { 'color-contrast': { enabled: false } } })).violations.map((v) => v.id)).toEqual([]);
    unmount();

    useWizardStore.setState({ release: makeRelease({ status: 'with_practice_server', transmissions: [TX] }) });
    renderUi(<SendStep />);
    expect(screen.getByText('In the practice outbox — not delivered yet')).toBeTruthy();
    expect(screen.getByText(/A workstation of the practice sends it/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Try now' })).toBeNull();
  });

  it('a release sent from the practice outbox names the workstation that sent it', () => {
    installFakeApi({});
    const sent = { ...TX, partsSent: 1, smtpResponse: '250 ok', sentByWorkstation: 'Front desk B [b2b2b2b2]', parts: [{ ...TX.parts[0]!, status: 'sent' as const, at: '2026-12-07T09:01:00.000Z' }] };
    useWizardStore.setState({ release: makeRelease({ status: 'sent', transmissions: [sent] }), step: 5 });
    renderUi(<SendStep />);
    expect(screen.getByTestId('sent-by-workstation').textContent).toBe('Sent from the practice outbox by the workstation “Front desk B”.');
  });
});

describe('the Outbox with a practice server', () => {
  const entry = (over: Partial<OutboxEntryT> = {}): OutboxEntryT => ({
    releaseId: 'rel_000002',
    reference: 'R-2026-00002',
    status: 'with_practice_server',
    method: 'password-pdf',
    patientName: 'Zyxwv Testpatient',
    recipientName: 'Abcde Lawfirm Intake',
    nextAttemptAt: null,
    attempts: 0,
    paused: false,
    lastError: null,
    partsTotal: 1,
    partsSent: 0,
    partsUnconfirmed: 0,
    sendingNow: false,
    ...over,
  });
  afterEach(() => useOutboxStore.setState({ entries: null, error: null, busyId: null }));

  it('a release in the practice outbox can be taken out to change it (same channel as any withdraw); "being sent right now" is said in plain words', async () => {
    let withdrawn = false;
    const api = installFakeApi({
      'releases.outbox': () => ok(withdrawn ? [] : [entry()]),
      'releases.withdraw': () => {
        withdrawn = true;
        return { ok: false, error: { code: 'RELEASE_SEND_IN_PROGRESS', message: 'A workstation of the practice is sending this release right now, so it cannot be withdrawn. Look again in a minute.' } };
      },
    });
    const { container } = renderUi(<OutboxScreen />);
    const more = await screen.findByRole('button', { name: 'More actions for R-2026-00002' });
    fireEvent.click(more);
    fireEvent.click(await screen.findByText('Take out to change it'));
    fireEvent.click(await screen.findByRole('button', { name: 'Take it out' }));
    await waitFor(() => expect(api.callsTo('releases.withdraw')).toEqual([{ releaseId: 'rel_000002', how: 'withdraw' }]));
    expect(await screen.findByText(/sending this release right now/)).toBeTruthy();
    const r = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(r.violations.map((v) => v.id)).toEqual([]);
  });

  it('no "More" menu once a part of it was sent', async () => {
    installFakeApi({ 'releases.outbox': () => ok([entry({ partsTotal: 2, partsSent: 1 })]) });
    renderUi(<OutboxScreen />);
    expect(await screen.findByText('Nothing to do: the result appears here by itself.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'More actions for R-2026-00002' })).toBeNull();
  });
});
