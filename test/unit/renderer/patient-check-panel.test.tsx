// @vitest-environment jsdom
/**
 * The Records step's "Right patient" panel (check run when the files change, another patient's file explained, a
 * reasoned confirmation), the clock text of closed requests and the one calendar-date format.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { PatientCheckPanel } from '../../../src/renderer/features/release-wizard/PatientCheckPanel';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import { clockText } from '../../../src/renderer/features/requests/labels';
import { formatDate } from '../../../src/renderer/lib/format';
import { useAppStore } from '../../../src/renderer/lib/navigation';
import type { DocumentPatientCheckT } from '../../../src/shared/contract';
import { DOC, installDomStubs, installFakeApi, makeRelease, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useAppStore.setState({ info: null });
  useWizardStore.setState({ release: null, evaluation: null, request: null, step: 0, busy: null, error: null });
});

const base = { nameFound: false, dobFound: false, mrnFound: false, otherMrns: 0, otherDobs: 0, otherNames: 0, conflictPages: [], pagesChecked: 1, pagesWithoutText: 0, checkedAt: '2026-03-03T14:07:00.000Z', confirmed: null };
const DOC2 = { ...DOC, id: 'doc_000002', label: 'record-2.pdf', originalName: 'scan-0412.pdf', category: 'visit_notes' as const, documentDate: '2026-02-01' };
const MATCH: DocumentPatientCheckT = { ...base, documentId: DOC.id, outcome: 'match', nameFound: true, dobFound: true };
const OTHER: DocumentPatientCheckT = { ...base, documentId: DOC2.id, outcome: 'mismatch', otherMrns: 1, otherDobs: 1, conflictPages: [2] };

describe('PatientCheckPanel', () => {
  it('runs the check, explains another patient’s file without identifier values, and records a reasoned confirmation', async () => {
    useAppStore.setState({ info: { user: { role: 'privacy_officer' } } as never }); // an officer's own confirmation is the approval
    const confirmed = { ...OTHER, confirmed: { by: 'Jordan Frontdesk', at: '2026-03-03T14:10:00.000Z', reason: 'Maiden name; checked by phone' } };
    const fake = installFakeApi({
      'documents.checkPatient': () => ok({ checks: [MATCH, OTHER] }),
      'documents.confirmPatient': () => ok({ checks: [MATCH, confirmed] }),
      'releases.evaluate': () => ok({ allowed: false, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: makeRelease({ documents: [{ ...DOC, category: 'visit_notes', documentDate: '2026-02-01' }, DOC2], documentCount: 2 }) });
    renderUi(<PatientCheckPanel />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('1 file may be another patient’s record');
    expect(alert.textContent).toContain('record-2 (scan-0412.pdf): Shows another medical record number, another date of birth on page 2.');
    expect(fake.callsTo('documents.checkPatient')).toEqual([{ releaseId: 'rel_000001' }]);
    await waitFor(() => expect(fake.callsTo('releases.evaluate').length).toBeGreaterThan(0)); // the gate is asked again

    const table = screen.getByRole('table', { name: 'Patient check' });
    expect(within(table).getByText('Names this patient')).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'Confirm it belongs here…' }));
    const reason = screen.getByLabelText('Why record-2 belongs in this release');
    fireEvent.change(reason, { target: { value: 'too short' } });
    expect((screen.getByRole('button', { name: 'Record confirmation' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(reason, { target: { value: 'Maiden name;\nchecked by phone' } });
    fireEvent.click(screen.getByRole('button', { name: 'Record confirmation' }));
    await screen.findByText('Confirmed by staff');
    expect(fake.callsTo('documents.confirmPatient')).toEqual([{ releaseId: 'rel_000001', documentId: DOC2.id, reason: 'Maiden name; checked by phone' }]);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('a file that shows another patient needs a privacy officer', () => {
  it('front desk are told before they confirm that a privacy officer must approve, and then see that it waits', async () => {
    useAppStore.setState({ info: { user: { role: 'front_desk' } } as never });
    const requested = { ...OTHER, confirmed: { by: 'Dana Deskworker', at: '2026-03-03T14:10:00.000Z', reason: 'Checked with chart' }, officerApproval: 'waiting' as const };
    const fake = installFakeApi({
      'documents.checkPatient': () => ok({ checks: [MATCH, OTHER] }),
      'documents.confirmPatient': () => ok({ checks: [MATCH, requested] }),
      'releases.evaluate': () => ok({ allowed: false, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: makeRelease({ documents: [{ ...DOC, category: 'visit_notes', documentDate: '2026-02-01' }, DOC2], documentCount: 2 }) });
    renderUi(<PatientCheckPanel />);
    const table = await screen.findByRole('table', { name: 'Patient check' });
    await within(table).findByText('Another patient?');
    fireEvent.click(within(table).getByRole('button', { name: 'Ask a privacy officer to confirm it…' }));
    expect(screen.getByTestId('officer-must-approve').textContent).toContain('A privacy officer must approve a file that shows another patient');
    fireEvent.change(screen.getByLabelText('Why record-2 belongs in this release'), { target: { value: 'Checked with chart' } });
    fireEvent.click(screen.getByRole('button', { name: 'Ask a privacy officer' }));
    await screen.findByText('Waiting for a privacy officer');
    expect(screen.getByTestId('officer-decision').textContent).toContain('It cannot be sent until a privacy officer approves it.');
    expect(within(screen.getByTestId('officer-decision')).queryByRole('button')).toBeNull(); // front desk cannot decide
    expect(fake.callsTo('documents.confirmPatient')).toEqual([{ releaseId: 'rel_000001', documentId: DOC2.id, reason: 'Checked with chart' }]);
  });

  it('a privacy officer approves or declines a waiting file from the panel', async () => {
    useAppStore.setState({ info: { user: { role: 'privacy_officer' } } as never });
    const waiting = { ...OTHER, confirmed: { by: 'Dana Deskworker', at: '2026-03-03T14:10:00.000Z', reason: 'Checked with chart' }, officerApproval: 'waiting' as const };
    const fake = installFakeApi({
      'documents.checkPatient': () => ok({ checks: [MATCH, waiting] }),
      'documents.decidePatientConfirm': () => ok({ checks: [MATCH, { ...waiting, officerApproval: 'declined' as const }] }),
      'releases.evaluate': () => ok({ allowed: false, findings: [], notices: [], documents: [] }),
    });
    useWizardStore.setState({ release: makeRelease({ documents: [{ ...DOC, category: 'visit_notes', documentDate: '2026-02-01' }, DOC2], documentCount: 2 }) });
    renderUi(<PatientCheckPanel />);
    expect(await screen.findByRole('button', { name: 'Approve: it belongs here' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Decline' }));
    await screen.findByText('Declined by a privacy officer');
    expect(screen.getByTestId('officer-decision').textContent).toContain('Remove it from the release.');
    expect(fake.callsTo('documents.decidePatientConfirm')).toEqual([{ releaseId: 'rel_000001', documentId: DOC2.id, decision: 'decline' }]);
  });
});

describe('closed requests and dates', () => {
  it.each([
    [{ status: 'sent', daysLeft: 12 }, 'Fulfilled'],
    [{ status: 'sent', daysLeft: -16 }, 'Fulfilled'],
    [{ status: 'denied', daysLeft: 3 }, 'Closed — denied'],
    [{ status: 'withdrawn', daysLeft: 3 }, 'Closed — withdrawn'],
    [{ status: 'ready', daysLeft: 30 }, '30 days left'],
    [{ status: 'partly_sent', daysLeft: -2 }, '2 days overdue'],
  ])('%o → %s', (r, text) => expect(clockText(r)).toBe(text));

  it('a closed request names the day it closed: "Fulfilled on …", never days left or overdue', () => {
    const on = formatDate('2026-03-03');
    expect(clockText({ status: 'sent', daysLeft: -16, closedOn: '2026-03-03' })).toBe(`Fulfilled on ${on}`);
    expect(clockText({ status: 'denied', daysLeft: 4, closedOn: '2026-03-03' })).toBe(`Closed — denied on ${on}`);
    expect(clockText({ status: 'withdrawn', daysLeft: 4, closedOn: '2026-03-03' })).toBe(`Closed — withdrawn on ${on}`);
    expect(clockText({ status: 'ready', daysLeft: 4, closedOn: null })).toBe('4 days left');
  });

  it('a calendar date is shown in the same style as a date-time and never shifts a day', () => {
    const d = formatDate('2026-01-02');
    expect(d).toBe(new Date(Date.UTC(2026, 0, 2)).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' }));
    expect(d).toContain('2026');
    expect(d).not.toContain('2026-01-02');
    expect(formatDate('not a date')).toBe('not a date');
  });
});
