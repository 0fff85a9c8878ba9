/** Staff-facing words for request fields (PHI-free; the field's own terms). */
import type { LegalBasis, RequestStatus } from '../../../shared/compliance';
import { formatDate } from '../../lib/format';

export const BASIS_LABELS: Record<LegalBasis, string> = {
  right_of_access: 'Right of access (patient or personal representative)',
  patient_directed: 'Patient-directed copy to a third party',
  authorization: 'Third-party disclosure under an authorization',
  tpo: 'Treatment, payment or operations',
  required_by_law: 'Required by law',
  hhs: 'To HHS (the Secretary)',
};

export { FORMAT_OPTIONS, formatLabel } from '../../../shared/request-words';

/** Short form for tables. */
export const BASIS_SHORT: Record<LegalBasis, string> = {
  right_of_access: 'Right of access',
  patient_directed: 'Patient-directed',
  authorization: 'Authorization',
  tpo: 'TPO',
  required_by_law: 'Required by law',
  hhs: 'HHS',
};

export const REQUEST_STATUS_LABELS: Record<RequestStatus, { label: string; color: string }> = {
  received: { label: 'Received', color: 'gray' },
  verifying: { label: 'Verifying identity', color: 'blue' },
  ready: { label: 'Ready to release', color: 'teal' },
  sent: { label: 'Sent', color: 'green' },
  partly_sent: { label: 'Partly sent', color: 'yellow' },
  failed: { label: 'Send failed', color: 'red' },
  denied: { label: 'Denied', color: 'gray' },
  withdrawn: { label: 'Withdrawn', color: 'gray' },
};

/**
 * The clock cell of a request: a closed request shows how it ended, with the day when known ("Fulfilled on
 * Mar 3, 2026", "Closed — denied on …", "Closed — withdrawn on …") instead of days left or overdue; an open one
 * shows daysLeftText.
 */
export function clockText(r: { status: string; daysLeft: number | null; closedOn?: string | null | undefined }): string {
  const on = r.closedOn ? ` on ${formatDate(r.closedOn)}` : '';
  if (r.status === 'sent') return `Fulfilled${on}`;
  if (r.status === 'denied') return `Closed — denied${on}`;
  if (r.status === 'withdrawn') return `Closed — withdrawn${on}`;
  return daysLeftText(r.daysLeft);
}

/** "3 days left" / "due today" / "2 days overdue"; null when the basis has no clock. */
export function daysLeftText(daysLeft: number | null): string {
  if (daysLeft === null) return '—';
  if (daysLeft === 0) return 'Due today';
  if (daysLeft > 0) return daysLeft === 1 ? '1 day left' : `${daysLeft} days left`;
  const n = -daysLeft;
  return n === 1 ? '1 day overdue' : `${n} days overdue`;
}
