// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ReviewStep } from '../../../src/renderer/features/release-wizard/steps/ReviewStep';
import { SendStep } from '../../../src/renderer/features/release-wizard/steps/SendStep';
import { whatHappensNext } from '../../../src/renderer/features/release-wizard/steps/ReviewNext';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import type { ReleaseEvaluationT } from '../../../src/shared/contract';
import type { Finding } from '../../../src/shared/compliance';
import { DOC, KEY, fail, installDomStubs, installFakeApi, makeRelease, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useWizardStore.setState({ release: null, evaluation: null, request: null, step: 0, busy: null, error: null, sendError: null, method: null, emailRoute: 'local' });
});

const READY = makeRelease({
  requestId: 'req_000001',
  requestReference: 'Q-2026-00001',
  documents: [{ ...DOC, category: 'visit_notes', documentDate: '2026-02-01' }],
  documentCount: 1,
  recipient: { name: 'Qwfp Recipient', email: 'qwfp@example.test', key: KEY, fingerprintConfirmed: true, addressConfirmed: null },
  recipientName: 'Qwfp Recipient',
});

const EXPIRED: Finding = { code: 'AUTH_EXPIRED', severity: 'block', citation: '45 CFR 164.508(b)(2)(i)', message: 'The authorization expired at the end of 2026-01-31.' };
const REDISCLOSURE: Finding = { code: 'AUTH_STATEMENT_REDISCLOSURE', severity: 'block', citation: '45 CFR 164.508(c)(2)(iii)', message: 'The authorization is missing the required statement that the recipient may redisclose the information.' };
const OVERDUE: Finding = { code: 'ACCESS_OVERDUE', severity: 'warn', citation: '45 CFR 164.524(b)(2)', message: 'The request is past its due date; it is still owed.' };

const evaluation = (findings: Finding[]): ReleaseEvaluationT => ({
  allowed: findings.every((f) => f.severity !== 'block'),
  findings,
  notices: [],
  documents: [{ documentId: DOC.id, category: 'visit_notes', documentDate: '2026-02-01', inScope: true, sensitive: false, overridden: false, selectable: true }],
});

const sendButton = () => screen.getByRole('button', { name: 'Send encrypted release' }) as HTMLButtonElement;

describe('ReviewStep: the compliance gate', () => {
  it('lists every finding with its citation and disables Send while a block finding exists', async () => {
    const fake = installFakeApi({ 'releases.evaluate': () => ok(evaluation([OVERDUE, EXPIRED, REDISCLOSURE])) });
    useWizardStore.setState({ release: READY, step: 3 });
    renderUi(<ReviewStep />);
    const list = await screen.findByRole('list', { name: 'Compliance findings' });
    expect(fake.callsTo('releases.evaluate')).toEqual([{ releaseId: READY.id }]);
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => [i.getAttribute('data-code'), i.getAttribute('data-severity')])).toEqual([
      ['AUTH_EXPIRED', 'block'],
      ['AUTH_STATEMENT_REDISCLOSURE', 'block'],
      ['ACCESS_OVERDUE', 'warn'],
    ]);
    expect(within(items[0]!).getByText('45 CFR 164.508(b)(2)(i)')).toBeTruthy();
    expect(within(items[2]!).getByText('Warning')).toBeTruthy();
    expect(sendButton().disabled).toBe(true);
    expect(screen.getByTestId('send-blocker').textContent).toContain('2 findings block this release');
    expect(screen.getByText(/What to fix:/)).toBeTruthy();
    fireEvent.click(sendButton());
    expect(fake.callsTo('releases.send')).toHaveLength(0);
  });

  it('a warning alone does not block: Send is enabled (overdue is a warning, never a block)', async () => {
    installFakeApi({ 'releases.evaluate': () => ok(evaluation([OVERDUE])) });
    useWizardStore.setState({ release: READY, step: 3 });
    renderUi(<ReviewStep />);
    await screen.findByRole('list', { name: 'Compliance findings' });
    await waitFor(() => expect(sendButton().disabled).toBe(false));
    expect(screen.queryByTestId('send-blocker')).toBeNull();
  });

  it('no findings: says nothing blocks and Send is enabled', async () => {
    installFakeApi({ 'releases.evaluate': () => ok(evaluation([])) });
    useWizardStore.setState({ release: READY, step: 3 });
    renderUi(<ReviewStep />);
    expect(await screen.findByText(/Nothing blocks this release/)).toBeTruthy();
    expect(sendButton().disabled).toBe(false);
  });

  it('RELEASE_BLOCKED from send is shown with its findings, and the release is not retried blindly', async () => {
    let blocked = false;
    installFakeApi({
      'releases.evaluate': () => ok(evaluation(blocked ? [EXPIRED] : [])),
      'releases.get': () => ok(READY),
      'requests.get': () => fail('NOT_FOUND', 'not needed'),
      'releases.send': () => {
        blocked = true; // e.g. the authorization expired at midnight between review and send
        return fail('RELEASE_BLOCKED', 'This release cannot be sent yet: (1) The authorization expired at the end of 2026-01-31.');
      },
    });
    useWizardStore.setState({ release: READY, step: 3, request: null });
    renderUi(<><ReviewStep /><SendStep /></>);
    await waitFor(() => expect(sendButton().disabled).toBe(false));
    fireEvent.click(sendButton());
    const alert = await waitFor(() => {
      const a = screen.getAllByRole('alert').find((x) => x.getAttribute('data-code') === 'RELEASE_BLOCKED');
      if (!a) throw new Error('no RELEASE_BLOCKED alert yet');
      return a;
    });
    expect(alert.textContent).toContain('The authorization expired at the end of 2026-01-31.');
    // The gate is asked again after the refusal, and the blocking findings are listed with their citations.
    const list = await screen.findByRole('list', { name: 'Findings that block this release' });
    expect(within(list).getByText('45 CFR 164.508(b)(2)(i)')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });
});

describe('ReviewStep: “What happens next” fits the chosen method', () => {
  it('a folder export and a print packet never speak of the outbox or the email server', () => {
    for (const method of ['export', 'print'] as const)
      for (const route of ['local', 'practice_online'] as const) {
        const text = whatHappensNext(method, route);
        expect(text).not.toMatch(/outbox|email server/i);
        expect(text).toContain('nothing is emailed');
      }
  });

  it('email on a workstation joined to the practice server goes to the practice’s shared outbox and is sent once by a workstation that is online', async () => {
    installFakeApi({
      'releases.evaluate': () => ok(evaluation([])),
      'practiceServer.status': () =>
        ok({ state: 'active', server: null, passwordSet: true, caFingerprint: null, verified: null, link: { state: 'online', workstationLabel: 'Front desk 1', lastSyncAt: null, conflicts: 0 } }),
    });
    useWizardStore.setState({ release: READY, step: 4, method: 'openpgp-pgp-mime' });
    renderUi(<ReviewStep />);
    await waitFor(() => expect(screen.getByTestId('review-next').textContent).toContain('the practice’s shared outbox'));
    expect(screen.getByTestId('review-next').textContent).toContain('whichever workstation of the practice is online sends it');
    expect(screen.getByTestId('review-next').textContent).not.toContain('this workstation’s outbox');
  });

  it('email on a workstation on its own keeps the messages in its outbox and retries by itself', () => {
    installFakeApi({ 'releases.evaluate': () => ok(evaluation([])) });
    useWizardStore.setState({ release: READY, step: 4, method: 'openpgp-pgp-mime' });
    renderUi(<ReviewStep />);
    expect(screen.getByTestId('review-next').textContent).toContain('this workstation’s outbox');
    expect(screen.getByTestId('review-next').textContent).toContain('never twice');
  });
});
