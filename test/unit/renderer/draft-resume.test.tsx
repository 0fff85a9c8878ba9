// @vitest-environment jsdom
/**
 * Resuming a draft release (Releases → Continue): it opens on the first step with work left — Records while a file is
 * unfiled, flagged as another patient's or outside the scope — and the recipient form takes the request's recipient
 * when the request arrives after the form was made, unless staff already typed. Real store and components, fake bridge.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { RecipientStep } from '../../../src/renderer/features/release-wizard/steps/RecipientStep';
import { STEP, stepFor, useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import type { ReleaseEvaluationT } from '../../../src/shared/contract';
import { DOC, installDomStubs, installFakeApi, makeRelease, makeRequest, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useWizardStore.setState({ release: null, evaluation: null, request: null, step: 0, busy: null, error: null, emailCheck: null, key: null, keyError: null });
});

const FILED = { ...DOC, category: 'visit_notes' as const, documentDate: '2026-02-01', classified: true };
const RECIPIENT = { name: 'Zyxwv Testpatient', email: 'zyxwv.testpatient@gmail.com', key: null, fingerprintConfirmed: false, addressConfirmed: null };
const evaluation = (over: Partial<ReleaseEvaluationT> = {}): ReleaseEvaluationT => ({
  allowed: true,
  findings: [],
  notices: [],
  documents: [{ documentId: FILED.id, category: 'visit_notes', documentDate: '2026-02-01', inScope: true, sensitive: false, overridden: false, selectable: true }],
  ...over,
});
const block = (code: string) => ({ code, severity: 'block' as const, citation: '45 CFR 164.514(d)', message: 'x', documentId: FILED.id });

describe('stepFor: where a draft opens', () => {
  it('opens on Records while any file has no category or date, even with a recipient saved', () => {
    const release = makeRelease({ documents: [{ ...FILED, classified: false }], recipient: RECIPIENT as never });
    expect(stepFor(release)).toBe(STEP.records);
  });

  it('opens on Records when the gate flags a file as another patient’s, not yet compared, or outside the scope', () => {
    const release = makeRelease({ documents: [FILED], recipient: RECIPIENT as never });
    expect(stepFor(release, evaluation({ allowed: false, findings: [block('PATIENT_MISMATCH')] }))).toBe(STEP.records);
    expect(stepFor(release, evaluation({ allowed: false, findings: [block('PATIENT_CHECK_PENDING')] }))).toBe(STEP.records);
    const outside = evaluation();
    outside.documents[0] = { ...outside.documents[0]!, inScope: false, selectable: false };
    expect(stepFor(release, outside)).toBe(STEP.records);
  });

  it('opens on Recipient, then Review, once the records are clean; a sent release opens on Send', () => {
    expect(stepFor(makeRelease({ documents: [FILED] }), evaluation())).toBe(STEP.recipient);
    expect(stepFor(makeRelease({ documents: [FILED], recipient: RECIPIENT as never }), evaluation())).toBe(STEP.review);
    expect(stepFor(makeRelease({ documents: [FILED], status: 'sent' }), evaluation())).toBe(STEP.send);
  });

  it('open() moves back to Records when the gate’s answer flags a file as another patient’s', async () => {
    const release = makeRelease({ requestId: 'req_000001', documents: [FILED], recipient: RECIPIENT as never });
    installFakeApi({
      'releases.get': () => ok(release),
      'releases.evaluate': () => ok(evaluation({ allowed: false, findings: [block('PATIENT_MISMATCH')] })),
      'requests.get': () => ok(makeRequest()),
    });
    await useWizardStore.getState().open(release.id);
    expect(useWizardStore.getState().step).toBe(STEP.records);
  });
});

describe('RecipientStep: prefill when the request arrives late', () => {
  it('fills name and email from the request once it loads after the form was made', () => {
    installFakeApi({});
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001', documents: [FILED] }), request: null, step: STEP.recipient });
    renderUi(<RecipientStep />);
    const name = () => (screen.getByLabelText(/Recipient name/) as HTMLInputElement).value;
    const email = () => (screen.getByLabelText(/Recipient email/) as HTMLInputElement).value;
    expect(email()).toBe('');
    act(() => useWizardStore.setState({ request: makeRequest() }));
    expect(name()).toBe('Zyxwv Testpatient');
    expect(email()).toBe('zyxwv.testpatient@gmail.com');
    // The prefilled address is the request's: it is not asked a second time.
    expect(document.getElementById('recipient-email-confirm')).toBeNull();
  });

  it('leaves what staff typed when the request arrives afterwards', () => {
    installFakeApi({});
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001', documents: [FILED] }), request: null, step: STEP.recipient });
    renderUi(<RecipientStep />);
    fireEvent.change(screen.getByLabelText(/Recipient name/), { target: { value: 'Qwfp Typed' } });
    act(() => useWizardStore.setState({ request: makeRequest() }));
    expect((screen.getByLabelText(/Recipient name/) as HTMLInputElement).value).toBe('Qwfp Typed');
    expect((screen.getByLabelText(/Recipient email/) as HTMLInputElement).value).toBe('');
  });
});
