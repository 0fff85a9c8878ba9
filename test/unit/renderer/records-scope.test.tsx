// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { RecordsStep } from '../../../src/renderer/features/release-wizard/steps/RecordsStep';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import type { ReleaseEvaluationT, RequestDetailT } from '../../../src/shared/contract';
import { DOC, installDomStubs, installFakeApi, makeRelease, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useWizardStore.setState({ release: null, evaluation: null, request: null, step: 0, busy: null, error: null });
});

const LAB = { ...DOC, id: 'doc_000001', originalName: 'labs.pdf', category: 'lab_results' as const, documentDate: '2026-02-01' };
const HIV = { ...DOC, id: 'doc_000002', originalName: 'hiv.pdf', label: 'record-2.pdf', category: 'hiv_sti_results' as const, documentDate: '2026-02-01' };
const VISIT = { ...DOC, id: 'doc_000003', originalName: 'visit.pdf', label: 'record-3.pdf', category: 'visit_notes' as const, documentDate: '2026-02-01' };

/** A payment disclosure (minimum necessary applies) asking for visit notes only. */
function request(basis: 'tpo' | 'right_of_access'): RequestDetailT {
  return {
    id: 'req_000001', reference: 'Q-2026-00001', patientName: 'Zyxwv Testpatient', basis, status: 'ready', receivedAt: '2026-03-01T15:00:00.000Z',
    dueDate: null, daysLeft: null, dueThisWeek: false, overdue: false, extended: false,
    patient: { name: 'Zyxwv Testpatient', dateOfBirth: '1970-01-02', mrn: 'MRN-TEST-1' },
    request: {
      id: 'req_000001', basis, receivedAt: '2026-03-01T15:00:00.000Z', requester: { role: 'covered_entity', name: 'Qwfp Billing Service' },
      recipients: [{ name: 'Qwfp Billing Service', destination: 'billing@example.test' }], scope: { categories: ['visit_notes'] },
      form: { format: 'pdf', electronic: true }, status: 'ready', extensions: [],
      ...(basis === 'tpo' ? { tpo: { purpose: 'payment' as const, reason: 'Claim for the 2026-02-01 visit' } } : {}),
    },
    authorization: null, part2Consents: [], verifications: [], acknowledgments: [], documents: [], releases: [], closingReason: null,
  };
}

const evaluation = (overridden: boolean): ReleaseEvaluationT => ({
  allowed: false,
  findings: [],
  notices: [],
  documents: [
    { documentId: LAB.id, category: 'lab_results', documentDate: '2026-02-01', inScope: false, sensitive: false, overridden, selectable: overridden },
    { documentId: HIV.id, category: 'hiv_sti_results', documentDate: '2026-02-01', inScope: false, sensitive: true, overridden: false, selectable: false },
    { documentId: VISIT.id, category: 'visit_notes', documentDate: '2026-02-01', inScope: true, sensitive: false, overridden: false, selectable: true },
  ],
});

const rowOf = (name: string) => screen.getAllByRole('row').find((r) => within(r).queryByText(name, { exact: true }))!;

describe('RecordsStep: only in-scope documents are selectable', () => {
  it('shows why a document is out of scope; offers a recorded reason only where minimum necessary applies and never for sensitive categories', async () => {
    const fake = installFakeApi({ 'releases.overrideScope': () => ok(evaluation(true)) });
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001', documents: [LAB, HIV, VISIT] }), request: request('tpo'), evaluation: evaluation(false), step: 1 });
    renderUi(<RecordsStep />);

    expect(within(rowOf('visit.pdf')).getByText('In scope — selected')).toBeTruthy();
    expect(within(rowOf('labs.pdf')).getByText('Not selectable')).toBeTruthy();
    expect(within(rowOf('labs.pdf')).getByText(/“Lab results” is not a category the request asks for/)).toBeTruthy();
    expect(within(rowOf('hiv.pdf')).getByText(/never goes beyond what the request asks for/)).toBeTruthy();
    expect(within(rowOf('hiv.pdf')).queryByRole('button', { name: 'Record a reason to include' })).toBeNull();
    expect(screen.getByText('2 documents are outside the request’s scope')).toBeTruthy();

    fireEvent.click(within(rowOf('labs.pdf')).getByRole('button', { name: 'Record a reason to include' }));
    const reason = within(rowOf('labs.pdf')).getByLabelText(/Why it is needed/);
    fireEvent.change(reason, { target: { value: 'too short' } });
    expect((within(rowOf('labs.pdf')).getByRole('button', { name: 'Record reason' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(reason, { target: { value: 'The payer needs the lab result that supports the billed visit' } });
    fireEvent.click(within(rowOf('labs.pdf')).getByRole('button', { name: 'Record reason' }));
    await waitFor(() => expect(within(rowOf('labs.pdf')).getByText('Outside scope — reason recorded')).toBeTruthy());
    expect(fake.callsTo('releases.overrideScope')).toEqual([
      { releaseId: 'rel_000001', documentId: LAB.id, reason: 'The payer needs the lab result that supports the billed visit' },
    ]);
  });

  it('right of access: no reason can widen the scope (the request defines it); refiling the category calls documents.classify', async () => {
    const fake = installFakeApi({
      'documents.classify': () => ok(makeRelease({ requestId: 'req_000001', documents: [{ ...LAB, category: 'visit_notes' }] })),
      'releases.evaluate': () => ok(evaluation(false)),
    });
    useWizardStore.setState({ release: makeRelease({ requestId: 'req_000001', documents: [LAB] }), request: request('right_of_access'), evaluation: evaluation(false), step: 1 });
    renderUi(<RecordsStep />);
    expect(within(rowOf('labs.pdf')).queryByRole('button', { name: 'Record a reason to include' })).toBeNull();
    expect(within(rowOf('labs.pdf')).getByText(/amend the request/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Category of labs.pdf'), { target: { value: 'visit_notes' } });
    await waitFor(() => expect(fake.callsTo('documents.classify')).toHaveLength(1));
    expect(fake.callsTo('documents.classify')[0]).toEqual({ releaseId: 'rel_000001', items: [{ documentId: LAB.id, category: 'visit_notes', documentDate: '2026-02-01', alsoCategories: [] }] });
    await waitFor(() => expect(fake.callsTo('releases.evaluate')).toHaveLength(1));
  });
});
