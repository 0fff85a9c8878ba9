import type { NoticeLanguage } from '../../../../shared/languages';
import { DocWriter } from './layout';
import { DELIVERY_FAILURE_TEXT, longDate, privacyContactLine, type NoticePractice } from './notice-texts';

export type { NoticeLanguage } from '../../../../shared/languages';

/** What the delivery-failure notice needs. Deliberately nothing that identifies the patient or their health. */
export interface DeliveryFailureNoticeInput {
  /** The practice's name, postal address, phone and privacy officer (printed; none of it is about the patient). */
  practice: NoticePractice;
  /** The release reference (e.g. R-2026-00012): how the patient and staff name this delivery. Not PHI. */
  reference: string;
  /** Calendar date (`YYYY-MM-DD`) the email was sent. */
  attemptDate: string;
  /** Calendar date (`YYYY-MM-DD`) of this notice. */
  noticeDate: string;
  /** Calendar date (`YYYY-MM-DD`) by which the practice must act on the request (45 CFR 164.524(b)(2)), if known. */
  dueDate?: string | undefined;
  language: NoticeLanguage;
  assetsRoot?: string | undefined;
}

/**
 * The letter telling the patient that the email with their records could not be delivered and how to get them.
 * PHI-free by design: no name, date of birth, record number, address or description of the records — only the
 * practice (name, address, phone, privacy officer), the release reference, dates and the ways to get the records —
 * so it can be printed, mailed in a window envelope or handed over without disclosing anything. In the language
 * recorded at intake; the words are {@link DELIVERY_FAILURE_TEXT}. Returns PDF bytes (US Letter, DejaVu Sans
 * embedded, page numbers).
 * @throws AppError VALIDATION_FAILED on an invalid date
 * @source 45 CFR 164.524(b)(2) (time to act), 164.524(c)(2)–(3) (form and manner of access); 45 CFR 92.201 (language access)
 */
export async function renderDeliveryFailureNotice(input: DeliveryFailureNoticeInput): Promise<Uint8Array> {
  const t = DELIVERY_FAILURE_TEXT[input.language];
  const long = (d: string): string => longDate(d, input.language);
  const w = await DocWriter.create(input.practice.name, t.docTitle, input.assetsRoot);
  const contact = [input.practice.address, input.practice.phone].filter((x): x is string => Boolean(x && x.trim()));
  if (contact.length) w.paragraph(contact.join('  ·  '), { size: 9, muted: true, after: 14 });
  w.title(t.title);
  w.field(t.date, long(input.noticeDate));
  w.field(t.reference, input.reference);
  w.heading(t.what);
  w.paragraph(t.whatText(long(input.attemptDate)));
  w.heading(t.how);
  for (const way of t.ways) w.paragraph(`•  ${way}`, { indent: 8, after: 6 });
  w.space(6);
  w.paragraph(input.dueDate ? t.deadline(long(input.dueDate)) : t.noDeadline, { bold: true, after: 10 });
  w.paragraph(t.contact(input.practice.name, input.practice.phone));
  if (input.practice.privacyOfficer) w.paragraph(t.privacy(privacyContactLine(input.practice, input.language)));
  return w.finish();
}
