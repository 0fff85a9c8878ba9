// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { RequestsTable } from '../../../src/renderer/features/requests/RequestsScreen';
import { sortRequests } from '../../../src/renderer/features/requests/store';
import type { RequestSummaryT } from '../../../src/shared/contract';
import { installDomStubs, makeRequestSummary, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(cleanup);

const req = makeRequestSummary;

const LIST: RequestSummaryT[] = [
  req({ id: 'req_000001', reference: 'Q-2026-00001', dueDate: '2026-03-31', daysLeft: 20, receivedAt: '2026-03-01T15:00:00.000Z' }),
  req({ id: 'req_000002', reference: 'Q-2026-00002', dueDate: '2026-03-12', daysLeft: -2, overdue: true, receivedAt: '2026-02-10T15:00:00.000Z', patientName: 'Qwfp Otherpatient' }),
  req({ id: 'req_000003', reference: 'Q-2026-00003', basis: 'authorization', dueDate: null, daysLeft: null, receivedAt: '2026-03-05T15:00:00.000Z' }),
  req({ id: 'req_000004', reference: 'Q-2026-00004', dueDate: '2026-03-16', daysLeft: 2, dueThisWeek: true, receivedAt: '2026-02-14T15:00:00.000Z' }),
];

/** The reference column of the body rows, in order. */
const refs = () => screen.getAllByTestId('request-row').map((r) => within(r).getAllByRole('cell')[0]!.textContent);

describe('RequestsTable', () => {
  it('sorts by due date (ascending first, requests without a clock last), toggles with aria-sort', () => {
    renderUi(<RequestsTable requests={LIST} onOpen={() => {}} />);
    const dueHeader = screen.getByRole('columnheader', { name: /Due date/ });
    const receivedHeader = screen.getByRole('columnheader', { name: /Received/ });
    expect(dueHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(receivedHeader.getAttribute('aria-sort')).toBe('none');
    expect(refs()).toEqual(['Q-2026-00002', 'Q-2026-00004', 'Q-2026-00001', 'Q-2026-00003']);

    fireEvent.click(within(dueHeader).getByRole('button'));
    expect(dueHeader.getAttribute('aria-sort')).toBe('descending');
    expect(refs()).toEqual(['Q-2026-00001', 'Q-2026-00004', 'Q-2026-00002', 'Q-2026-00003']);

    fireEvent.click(within(receivedHeader).getByRole('button'));
    expect(receivedHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(dueHeader.getAttribute('aria-sort')).toBe('none');
    expect(refs()).toEqual(['Q-2026-00002', 'Q-2026-00004', 'Q-2026-00001', 'Q-2026-00003']);
  });

  it('shows "Overdue" and "Due this week" badges and days left in words', () => {
    renderUi(<RequestsTable requests={LIST} onOpen={() => {}} />);
    const row = (ref: string) => screen.getAllByTestId('request-row').find((r) => r.textContent?.includes(ref))!;
    expect(within(row('Q-2026-00002')).getByText('Overdue')).toBeTruthy();
    expect(within(row('Q-2026-00002')).getByText('2 days overdue')).toBeTruthy();
    expect(within(row('Q-2026-00002')).queryByText('Due this week')).toBeNull();
    expect(within(row('Q-2026-00004')).getByText('Due this week')).toBeTruthy();
    expect(within(row('Q-2026-00004')).getByText('2 days left')).toBeTruthy();
    expect(within(row('Q-2026-00001')).queryByText('Overdue')).toBeNull();
    expect(within(row('Q-2026-00001')).queryByText('Due this week')).toBeNull();
    expect(within(row('Q-2026-00003')).getByText('—', { selector: 'p' })).toBeTruthy();
  });

  it('opens a request by its id (overdue ones too: overdue never blocks)', () => {
    const onOpen = vi.fn();
    renderUi(<RequestsTable requests={LIST} onOpen={onOpen} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open request Q-2026-00002' }));
    expect(onOpen).toHaveBeenCalledWith('req_000002');
  });

  it('sortRequests does not mutate its input', () => {
    const copy = [...LIST];
    sortRequests(LIST, 'due', 'descending');
    expect(LIST).toEqual(copy);
  });
});
