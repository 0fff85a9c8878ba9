// @vitest-environment jsdom
/**
 * Recipient step (prefill from the request; the address confirmation for a typo suggestion, a look-alike or a
 * mismatch with the request) and Records step (unclassified documents start empty, are marked and focused,
 * and are classified only once category and date are both set). Real components, fake bridge.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { RecipientStep } from '../../../src/renderer/features/release-wizard/steps/RecipientStep';
import { RecordsStep } from '../../../src/renderer/features/release-wizard/steps/RecordsStep';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import type { RequestDetailT } from '../../../src/shared/contract';
import { DOC, installDomStubs, installFakeApi, makeRelease, makeRequest, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useWizardStore.setState({ release: null, evaluation: null, request: null, step: 0, busy: null, error: null, emailCheck: null, key: null, keyError: null });
});

/** The request names the patient as the recipient, at `destination`. */
const request = (destination = 'zyxwv.testpatient@gmail.com'): RequestDetailT => makeRequest({ recipients: [{ name: 'Zyxwv Testpatient', destination }] });

const CLEAN = { valid: true, problem: null, suggestion: null, warning: null };
const input = (label: RegExp) => screen.getByLabelText(label) as HTMLInputElement;
const confirmBox = () => document.getElementById('recipient-address-confirm') as HTMLInputElement | null;

describe('RecipientStep: misdirected-email safeguards', () => {
  it('prefills name and email from the request’s first recipient; a matching clean address needs no confirmation', async () => {
    const fake = installFakeApi({ 'recipients.checkEmail': () => ok(CLEAN), 'releases.setRecipient': () => ok(makeRelease()), 'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }) });
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001' }), request: request(), step: 2 });
    renderUi(<RecipientStep />);
    expect(input(/Recipient name/).value).toBe('Zyxwv Testpatient');
    expect(input(/Recipient email/).value).toBe('zyxwv.testpatient@gmail.com');
    expect(confirmBox()).toBeNull();
    fireEvent.click(screen.getByRole('switch'));
    fireEvent.click(screen.getByRole('button', { name: 'Save recipient' }));
    await waitFor(() => expect(fake.callsTo('releases.setRecipient')).toHaveLength(1));
    expect(fake.callsTo('releases.setRecipient')[0]).toMatchObject({ email: 'zyxwv.testpatient@gmail.com', addressConfirmed: false });
  });

  it('does not prefill a postal destination as the email address', () => {
    installFakeApi({});
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001' }), request: request('12 Elm St, Springfield IL 62701'), step: 2 });
    renderUi(<RecipientStep />);
    expect(input(/Recipient name/).value).toBe('Zyxwv Testpatient');
    expect(input(/Recipient email/).value).toBe('');
  });

  it('a typo suggestion (gmial.com) needs the confirmation checkbox before saving; saving sends addressConfirmed', async () => {
    const fake = installFakeApi({
      'recipients.checkEmail': ({ email }) => ok(email.endsWith('gmial.com') ? { ...CLEAN, suggestion: email.replace('gmial', 'gmail') } : CLEAN),
      'releases.setRecipient': () => ok(makeRelease()),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001' }), request: request('zyxwv.testpatient@gmial.com'), step: 2 });
    renderUi(<RecipientStep />);
    fireEvent.click(screen.getByRole('switch'));
    fireEvent.blur(input(/Recipient email/));
    await screen.findByText(/Did you mean/);
    expect(confirmBox()).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save recipient' }));
    await screen.findByText('Confirm this exact address with the recipient, or correct it.');
    expect(fake.callsTo('releases.setRecipient')).toHaveLength(0);
    fireEvent.click(confirmBox()!);
    fireEvent.click(screen.getByRole('button', { name: 'Save recipient' }));
    await waitFor(() => expect(fake.callsTo('releases.setRecipient')).toHaveLength(1));
    expect(fake.callsTo('releases.setRecipient')[0]).toMatchObject({ email: 'zyxwv.testpatient@gmial.com', addressConfirmed: true });
  });

  it('a look-alike warning shows and needs the confirmation', async () => {
    installFakeApi({ 'recipients.checkEmail': () => ok({ ...CLEAN, warning: 'The domain looks like gmail.com but uses look-alike characters.' }) });
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001' }), request: request('zyxwv@gmai1.com'), step: 2 });
    renderUi(<RecipientStep />);
    fireEvent.blur(input(/Recipient email/));
    await screen.findByText(/look-alike characters/);
    expect(confirmBox()).not.toBeNull();
  });

  it('an address the request does not name shows the request’s destination and needs the confirmation; it resets when the address changes', async () => {
    installFakeApi({ 'recipients.checkEmail': () => ok(CLEAN) });
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001' }), request: request(), step: 2 });
    renderUi(<RecipientStep />);
    expect(confirmBox()).toBeNull();
    fireEvent.change(input(/Recipient email/), { target: { value: 'someone@elsewhere.example.test' } });
    expect(screen.getByText('Not the address the request names')).toBeTruthy();
    expect(screen.getByText('zyxwv.testpatient@gmail.com')).toBeTruthy();
    fireEvent.click(confirmBox()!);
    expect(confirmBox()!.checked).toBe(true);
    fireEvent.change(input(/Recipient email/), { target: { value: 'someone2@elsewhere.example.test' } });
    expect(confirmBox()!.checked).toBe(false);
    fireEvent.change(input(/Recipient email/), { target: { value: 'ZYXWV.testpatient@gmail.com' } });
    expect(confirmBox()).toBeNull();
  });
});

describe('RecordsStep: unclassified documents', () => {
  const NEW = { ...DOC, id: 'doc_000009', originalName: 'scan.pdf', label: 'record-2.pdf', category: 'other' as const, documentDate: '2026-03-03', classified: false };
  const OLD = { ...DOC, category: 'visit_notes' as const, documentDate: '2026-02-01' };

  it('marks them, focuses the first, starts empty and classifies only when category and date are both set', async () => {
    const fake = installFakeApi({
      'documents.classify': () => ok(makeRelease({ requestId: 'req_000001', documents: [OLD, { ...NEW, category: 'visit_notes', documentDate: '2026-02-20', classified: true }] })),
      'releases.evaluate': () => ok({ allowed: true, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001', documents: [OLD, NEW] }), request: request(), evaluation: null, step: 1 });
    renderUi(<RecordsStep />);
    expect(screen.getByText('Not classified — set category and date')).toBeTruthy();
    expect(screen.getByText(/1 document needs a category and date of service/)).toBeTruthy();
    expect(screen.getByText(/Set the category and date of service of record-2/)).toBeTruthy();
    const cat = screen.getByLabelText('Category of scan.pdf') as HTMLSelectElement;
    const date = screen.getByLabelText('Date of service of scan.pdf') as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(cat));
    expect(cat.value).toBe('');
    expect(date.value).toBe('');
    expect((screen.getByLabelText('Category of synthetic-record.pdf') as HTMLSelectElement).value).toBe('visit_notes');
    fireEvent.change(cat, { target: { value: 'visit_notes' } });
    expect(fake.callsTo('documents.classify')).toHaveLength(0);
    fireEvent.change(date, { target: { value: '2026-02-20' } });
    fireEvent.blur(date);
    await waitFor(() => expect(fake.callsTo('documents.classify')).toHaveLength(1));
    expect(fake.callsTo('documents.classify')[0]).toEqual({ releaseId: 'rel_000001', items: [{ documentId: NEW.id, category: 'visit_notes', documentDate: '2026-02-20', alsoCategories: [] }] });
    await waitFor(() => expect(screen.queryByText('Not classified — set category and date')).toBeNull());
  });
});
