// @vitest-environment jsdom
/**
 * Settings → Legal holds: the hold form is checked by the shared schema (PlaceHoldInput) before anything is sent —
 * empty fields say what to enter and take the focus — and a patient hold names the MRN, a request hold the reference.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { LegalHolds } from '../../../src/renderer/features/settings/retention/LegalHolds';
import type { RetentionViewT } from '../../../src/renderer/features/settings/retention/store';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(cleanup);

const VIEW: RetentionViewT = {
  policy: { documentationYears: 6, recordFileDays: null, auditYears: 6, backupReminderDays: 7 },
  policySet: true, canChange: true, holds: [], lastPurge: null, lastBackupAt: null, backupDue: false,
};

describe('Legal holds: placing a hold', () => {
  it('empty fields say what to enter, take the focus, and nothing is sent', async () => {
    const fake = installFakeApi({});
    renderUi(<LegalHolds view={VIEW} locked={false} />);
    fireEvent.click(screen.getByRole('button', { name: 'Place legal hold' }));
    expect(await screen.findByText('Enter the request reference, e.g. Q-2026-00001.')).toBeTruthy();
    expect(screen.getByText('Say why (for example the matter or the letter received).')).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.id).toBe('hold-target'));
    fireEvent.click(screen.getByLabelText('A patient (every request and release)'));
    expect(await screen.findByText('Enter the patient’s MRN.')).toBeTruthy();
    expect(fake.callsTo('retention.placeHold')).toHaveLength(0);
  });

  it('a patient hold is sent with the MRN and the reason, trimmed; the form empties and says what the hold does', async () => {
    const fake = installFakeApi({ 'retention.placeHold': () => ok({ ...VIEW }) });
    renderUi(<LegalHolds view={VIEW} locked={false} />);
    fireEvent.click(screen.getByLabelText('A patient (every request and release)'));
    fireEvent.change(screen.getByLabelText('Patient MRN'), { target: { value: ' MRN-TEST-7 ' } });
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'Preservation letter 2026-11 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Place legal hold' }));
    await waitFor(() => expect(fake.callsTo('retention.placeHold')).toEqual([{ scope: 'patient', mrn: 'MRN-TEST-7', reason: 'Preservation letter 2026-11' }]));
    expect(await screen.findByText(/Legal hold placed on the patient\./)).toBeTruthy();
    expect((screen.getByLabelText('Patient MRN') as HTMLInputElement).value).toBe('');
    expect(screen.queryByText('Enter the patient’s MRN.')).toBeNull();
  });
});
