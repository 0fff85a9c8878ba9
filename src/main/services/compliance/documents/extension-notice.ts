import { AppError } from '../../../../shared/errors';
import { DEFAULT_NOTICE_LANGUAGE, type NoticeLanguage } from '../../../../shared/languages';
import { DocWriter } from './layout';
import { EXTENSION_TEXT, longDate, privacyContactLine, type NoticePractice } from './notice-texts';

export { privacyContactLine } from './notice-texts';

/** What the written extension notice needs (45 CFR 164.524(b)(2)(ii)). */
export interface ExtensionNoticeInput {
  practice: NoticePractice;
  /** The individual (or personal representative) the notice is addressed to. */
  addresseeName: string;
  /** Calendar date (`YYYY-MM-DD`) the request was received (day 0). */
  receivedDate: string;
  /** Calendar date the notice is given; must be within the first 30 days. */
  noticeDate: string;
  /** Reason for the delay (plain language, as staff typed it). */
  reason: string;
  /** The date by which the practice will complete its action (≤ day 60). */
  newDueDate: string;
  /** The language recorded at intake (shared/languages.ts); English when absent. */
  language?: NoticeLanguage | undefined;
  /** Assets root for fonts (defaults to `<cwd>/assets`). */
  assetsRoot?: string | undefined;
}

/**
 * The written notice extending the time to act on a right-of-access request, in the patient's language.
 *
 * States, as 164.524(b)(2)(ii) requires, the reasons for the delay and the date
 * by which the practice will complete its action; also the receipt date and
 * whom to contact (the practice's address, phone and privacy officer). The words come from
 * {@link EXTENSION_TEXT}. The grant itself is checked by grantExtension (deadlines.ts);
 * this only renders. Returns PDF bytes (US Letter, DejaVu Sans embedded, page
 * numbers). The PDF is PHI: store it encrypted, never as a plain temp file.
 * @throws AppError VALIDATION_FAILED on an invalid date or an empty reason
 * @source 45 CFR 164.524(b)(2)(ii); 45 CFR 92.201 (language access)
 */
export async function renderExtensionNotice(input: ExtensionNoticeInput): Promise<Uint8Array> {
  if (!input.reason.trim()) throw new AppError('VALIDATION_FAILED', 'The extension notice needs a reason for the delay.');
  const lang = input.language ?? DEFAULT_NOTICE_LANGUAGE;
  const t = EXTENSION_TEXT[lang];
  const long = (d: string) => longDate(d, lang);
  const dates = { notice: long(input.noticeDate), received: long(input.receivedDate), due: long(input.newDueDate) };
  const w = await DocWriter.create(input.practice.name, t.docTitle, input.assetsRoot);
  const contact = [input.practice.address, input.practice.phone].filter((x): x is string => Boolean(x && x.trim()));
  if (contact.length) w.paragraph(contact.join('  ·  '), { size: 9, muted: true, after: 14 });

  w.title(t.title);
  w.field(t.date, dates.notice);
  w.field(t.to, input.addresseeName);
  w.field(t.received, dates.received);

  w.heading(t.why);
  w.paragraph(t.law);
  w.field(t.reason, input.reason.trim(), 3);

  w.heading(t.when);
  w.paragraph(t.by(dates.due), { bold: true, size: 11.5, after: 8 });
  w.paragraph(t.onlyOne);

  w.heading(t.questions);
  w.paragraph(t.contact(privacyContactLine(input.practice, lang)));
  return w.finish();
}
