import { CATEGORY_LABELS, type DocumentCategory } from '../../../../shared/compliance';
import { DocWriter } from './layout';

/** (c)(2)(i): right to revoke in writing, the exceptions, and how. */
export const STATEMENT_RIGHT_TO_REVOKE =
  'You may revoke (cancel) this authorization at any time by writing to us at the address below. Revoking it does not undo anything we already disclosed relying on it, and does not apply where the law gives an insurer the right to contest a claim or the policy itself.';
/** (c)(2)(ii): conditioning of treatment, payment, enrollment or eligibility. */
export const STATEMENT_CONDITIONING =
  'We will not condition your treatment, payment, enrollment in a health plan, or eligibility for benefits on whether you sign this authorization.';
/** (c)(2)(iii): potential for redisclosure. */
export const STATEMENT_REDISCLOSURE =
  'Information disclosed under this authorization may be redisclosed by the recipient and may then no longer be protected by federal privacy law (HIPAA).';
/** (c)(4). */
export const STATEMENT_COPY = 'You will receive a copy of this signed authorization.';

/**
 * Where a written revocation goes (164.508(c)(2)(i)(A): "the individual's right to revoke ... in writing, and ...
 * how the individual may revoke"): the privacy officer (if named), the practice, its postal address and phone.
 * Without a recorded address it says to ask the practice for it, never pointing at an address that is not there.
 */
export function revocationAddress(p: AuthorizationFormInput['practice']): string {
  const to = p.privacyOfficer ? `${p.privacyOfficer.name}, Privacy Officer, ${p.name}` : `Privacy Officer, ${p.name}`;
  const where = p.address?.trim() ? p.address.trim() : '(ask us for our mailing address)';
  const phone = p.privacyOfficer?.phone || p.phone;
  return `${to}, ${where}${phone ? `. Phone: ${phone}` : ''}${p.privacyOfficer?.email ? `. Email: ${p.privacyOfficer.email}` : ''}.`;
}

/** Optional prefill; anything omitted prints as a blank line for the patient to complete. */
export interface AuthorizationFormInput {
  practice: { name: string; address?: string; phone?: string; privacyOfficer?: { name: string; phone?: string; email?: string } };
  patientName?: string;
  dateOfBirth?: string;
  /** (c)(1)(i) description of the information. */
  informationDescription?: string;
  /** Categories pre-checked. */
  categories?: DocumentCategory[];
  dateRange?: { from?: string; to?: string };
  /** (c)(1)(ii); defaults to the practice name. */
  disclosers?: string[];
  /** (c)(1)(iii). */
  recipients?: string[];
  /** (c)(1)(iv). */
  purposes?: string[];
  /** (c)(1)(v). */
  expirationDate?: string;
  expirationEvent?: string;
  /** Print the psychotherapy-notes variant: the only category is psychotherapy notes (164.508(a)(2)). */
  psychotherapyNotesOnly?: boolean;
  assetsRoot?: string;
}

const GENERAL_CATEGORIES: DocumentCategory[] = [
  'visit_notes', 'lab_results', 'imaging_reports', 'medication_list', 'immunizations', 'billing', 'correspondence', 'substance_use_disorder', 'hiv_sti_results', 'genetic_testing', 'other',
];

/**
 * A printable authorization form (blank or prefilled) with every core element of
 * 45 CFR 164.508(c)(1) (i)-(vi) and the three required statements of (c)(2),
 * in plain language ((c)(3)), and the copy statement of (c)(4). Sensitive
 * categories print their extra requirement (HIV results named with initials,
 * Part 2 records need a 42 CFR 2.31 consent, psychotherapy notes need their own
 * form). Returns PDF bytes; a prefilled form is PHI: store it encrypted.
 */
export async function renderAuthorizationForm(input: AuthorizationFormInput): Promise<Uint8Array> {
  const psych = input.psychotherapyNotesOnly === true;
  const w = await DocWriter.create(input.practice.name, psych ? 'Authorization — psychotherapy notes' : 'Authorization to disclose health information', input.assetsRoot);
  const contact = [input.practice.address, input.practice.phone].filter((x): x is string => Boolean(x && x.trim()));
  if (contact.length) w.paragraph(contact.join('  ·  '), { size: 9, muted: true, after: 14 });

  w.title(psych ? 'Authorization to disclose psychotherapy notes' : 'Authorization to disclose health information');
  w.paragraph('Please complete every part. This form follows 45 CFR 164.508. We cannot act on it if any part is missing.', { muted: true, size: 9.5, after: 4 });
  w.field('Patient name', input.patientName);
  w.field('Date of birth', input.dateOfBirth);

  w.heading('1. Information to be disclosed');
  w.paragraph('Describe the information specifically (for example: "lab results from January to June 2025").', { size: 9.5, muted: true });
  w.field('Description of the information', input.informationDescription, 2);
  if (psych) {
    w.checkbox('Psychotherapy notes (this form covers psychotherapy notes only)', true);
  } else {
    const chosen = new Set(input.categories ?? []);
    w.checkboxGrid(GENERAL_CATEGORIES.map((c) => [c === 'substance_use_disorder' ? 'Substance use disorder (Part 2)' : CATEGORY_LABELS[c], chosen.has(c)] as const));
    w.paragraph('HIV test results are released only if you check that box and initial here: ________', { size: 9.5, indent: 16, after: 2 });
    w.paragraph('Substance use disorder records also need a separate consent under 42 CFR Part 2.', { size: 9.5, indent: 16, after: 2 });
    w.paragraph('Psychotherapy notes are not covered by this form; they need their own authorization.', { size: 9.5, indent: 16 });
  }
  w.field('Dates of service (from – to)', input.dateRange && (input.dateRange.from || input.dateRange.to) ? `${input.dateRange.from ?? 'earliest'} – ${input.dateRange.to ?? 'latest'}` : undefined);

  w.heading('2. Who may disclose the information');
  w.field('Name of the person or practice authorized to disclose', (input.disclosers ?? [input.practice.name]).join('; '));

  w.heading('3. Who may receive the information');
  w.field('Name and address of each recipient', input.recipients?.join('; '), 2);

  w.heading('4. Purpose of the disclosure');
  w.paragraph('"At the request of the individual" is enough if you are asking for the disclosure yourself.', { size: 9.5, muted: true });
  w.field('Purpose', input.purposes?.join('; '), 2);

  w.heading('5. Expiration');
  w.paragraph('This authorization expires on the date or at the event below (a date is valid through the end of that day).', { size: 9.5, muted: true });
  w.field('Expiration date', input.expirationDate);
  w.field('or expiration event', input.expirationEvent);

  w.heading('6. Your rights');
  w.paragraph(`Right to revoke. ${STATEMENT_RIGHT_TO_REVOKE}`);
  w.paragraph(`Send a written revocation to: ${revocationAddress(input.practice)}`, { indent: 16, size: 9.5 });
  w.paragraph(`Treatment is not conditioned on signing. ${STATEMENT_CONDITIONING}`);
  w.paragraph(`Redisclosure. ${STATEMENT_REDISCLOSURE}`);
  w.paragraph(`Your copy. ${STATEMENT_COPY}`);

  w.heading('7. Signature');
  w.signatureLine('Signature of patient or personal representative', 'Date');
  w.field('Printed name of the person signing');
  w.field("If signed by a personal representative: your authority to act for the patient (e.g. parent, guardian, power of attorney)");
  return w.finish();
}
