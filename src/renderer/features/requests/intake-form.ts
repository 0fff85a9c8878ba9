/**
 * The intake form's values, the `requests.create` input made from them, and their validation: the shared schema
 * (RequestIntake, the one main parses) first, then the intake's own rules (no future dates, a date range in order).
 */
import type { FormErrors } from '@mantine/form';
import type { DocumentCategory, LegalBasis } from '../../../shared/compliance';
import { RequestIntake, type ChannelInput } from '../../../shared/contract';
import type { NoticeLanguage } from '../../../shared/languages';
import { mergeErrors, zodValidate } from '../../lib/form';

export type Intake = ChannelInput<'requests.create'>;
export type Role = Intake['requester']['role'];

/** `YYYY-MM-DDTHH:mm` for an <input type="datetime-local"> in local time. */
export function localNow(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** True when a datetime-local value is more than `slackMs` ms after now (clock skew tolerated). */
function laterThanNow(localDateTime: string, slackMs: number): boolean {
  return new Date(localDateTime).getTime() - Date.now() > slackMs;
}

export interface RecipientRow { name: string; destination: string; confirm?: string; checked?: boolean }

/** The intake form's values: shaped like the `requests.create` input, as typed (dates as text, nothing trimmed yet). */
export interface IntakeValues {
  patient: { name: string; dateOfBirth: string; mrn: string };
  preferredLanguage: NoticeLanguage;
  basis: LegalBasis;
  requester: { role: Role; name: string; authority: string };
  /** `YYYY-MM-DDTHH:mm`, local time (datetime-local input). */
  receivedAt: string;
  recipients: RecipientRow[];
  scope: { categories: DocumentCategory[]; from: string; to: string };
  format: string;
  directive: { inWriting: boolean; signed: boolean; signedDate: string; recipientNamed: boolean; destinationNamed: boolean };
  /** Categories the signed direction names explicitly (a state rule pack may require HIV results to be named). */
  named: DocumentCategory[];
  tpo: { purpose: 'treatment' | 'payment' | 'operations'; reason: string };
}

/** The `requests.create` input from the form (also for an incomplete form, so the shared schema can say what is missing). */
export function toIntake(v: IntakeValues): Intake {
  const received = new Date(v.receivedAt);
  const { role } = v.requester;
  return {
    patient: { name: v.patient.name.trim(), dateOfBirth: v.patient.dateOfBirth, mrn: v.patient.mrn.trim() },
    basis: v.basis,
    receivedAt: v.receivedAt && !Number.isNaN(received.getTime()) ? received.toISOString() : '',
    requester: { role, name: v.requester.name.trim(), ...(role === 'personal_representative' ? { authority: v.requester.authority.trim() } : {}) },
    recipients: v.recipients.map((r) => ({ name: r.name.trim(), destination: r.destination.trim() })),
    scope: { categories: v.scope.categories, ...(v.scope.from ? { from: v.scope.from } : {}), ...(v.scope.to ? { to: v.scope.to } : {}) },
    form: { format: v.format, electronic: v.format !== 'paper' },
    ...(v.basis === 'patient_directed'
      ? { patientDirective: { ...v.directive, signedDate: v.directive.signedDate || undefined, namedCategories: v.named.filter((c) => v.scope.categories.includes(c)) } }
      : {}),
    ...(v.basis === 'tpo' ? { tpo: { purpose: v.tpo.purpose, reason: v.tpo.reason.trim() } } : {}),
    preferredLanguage: v.preferredLanguage,
  };
}

/** What the shared schema (RequestIntake, the same that main parses) finds wrong, in the intake's words. */
const checkIntake = zodValidate<IntakeValues>(RequestIntake, toIntake, {
  'patient.name': 'Enter the patient’s name.',
  'patient.dateOfBirth': 'Enter the date of birth.',
  'patient.mrn': 'Enter the medical record number.',
  'requester.name': 'Enter who made the request.',
  'requester.authority': 'Describe the representative’s authority (e.g. parent of a minor, health care power of attorney).',
  receivedAt: 'Enter when the request was received.',
  'recipients.*.name': 'Enter a name.',
  'recipients.*.destination': 'Enter where to send it.',
  'scope.categories': 'Choose at least one category of records.',
  'tpo.reason': 'Record the reason for this disclosure.',
});

/** The schema's errors, then the intake's own rules (no future dates; a date range in order). */
export function validateIntake(v: IntakeValues): FormErrors {
  const own: FormErrors = {};
  if (v.patient.dateOfBirth > localNow().slice(0, 10)) own['patient.dateOfBirth'] = 'The date of birth cannot be in the future.';
  // The service refuses more than 5 minutes ahead of its clock; the day of receipt starts the 30-day clock.
  if (v.receivedAt && laterThanNow(v.receivedAt, 5 * 60_000)) own.receivedAt = 'The date the request was received cannot be in the future.';
  if (v.scope.from && v.scope.to && v.scope.from > v.scope.to) own['scope.from'] = 'The start date is after the end date.';
  return mergeErrors(checkIntake(v), own);
}

