import { AppError } from '../../../../shared/errors';
import { DEFAULT_NOTICE_LANGUAGE, type NoticeLanguage } from '../../../../shared/languages';
import { DocWriter } from './layout';
import { DENIAL_TEXT, longDate, privacyContactLine, type NoticePractice } from './notice-texts';

/** What the written denial of access needs (45 CFR 164.524(d)(2)–(3)). */
export interface DenialNoticeInput {
  /** The practice's name, postal address, phone and privacy officer (the contact of 164.530(a)(1)(ii)). */
  practice: NoticePractice;
  /** The individual (or personal representative) the notice is addressed to. */
  addresseeName: string;
  /** Calendar date (`YYYY-MM-DD`) the request was received. */
  receivedDate: string;
  /** Calendar date (`YYYY-MM-DD`) of this notice. */
  noticeDate: string;
  /** The basis for the denial, in plain language, as staff recorded it when denying ((d)(2)(i)). */
  reason: string;
  /** True when the ground is reviewable (164.524(a)(3)): the notice then tells how to ask for a review ((d)(2)(ii)). */
  reviewable: boolean;
  /** When the practice does not keep the records but knows who does: where to ask ((d)(3)). */
  elsewhere?: string | undefined;
  /** The language recorded at intake; English when absent. */
  language?: NoticeLanguage | undefined;
  assetsRoot?: string | undefined;
}

/**
 * The written denial of a right-of-access request, in plain language and the patient's language: the basis for the
 * denial; the right to a review and how to ask for it when the ground is reviewable (or that it is not); where the
 * records may be when the practice does not keep them; how to complain to the practice and to HHS, naming the
 * practice's privacy officer with phone (or the practice's phone) and its postal address. Words: {@link DENIAL_TEXT}.
 * Returns PDF bytes (US Letter, DejaVu Sans embedded, page numbers). The PDF is PHI: keep it encrypted.
 * @throws AppError VALIDATION_FAILED on an empty reason or an invalid date
 * @source 45 CFR 164.524(a)(2)–(4), (d)(2)–(4); 164.530(a)(1)(ii), (d); 160.306; 45 CFR 92.201 (language access)
 */
export async function renderDenialNotice(input: DenialNoticeInput): Promise<Uint8Array> {
  if (!input.reason.trim()) throw new AppError('VALIDATION_FAILED', 'The denial notice needs the reason for the denial.');
  const lang = input.language ?? DEFAULT_NOTICE_LANGUAGE;
  const t = DENIAL_TEXT[lang];
  const p = input.practice;
  const w = await DocWriter.create(p.name, t.docTitle, input.assetsRoot);
  const contact = [p.address, p.phone].filter((x): x is string => Boolean(x && x.trim()));
  if (contact.length) w.paragraph(contact.join('  ·  '), { size: 9, muted: true, after: 14 });

  w.title(t.title);
  w.field(t.date, longDate(input.noticeDate, lang));
  w.field(t.to, input.addresseeName);
  w.field(t.received, longDate(input.receivedDate, lang));

  w.heading(t.why);
  w.paragraph(t.law);
  w.field(t.reason, input.reason.trim(), 3);
  w.paragraph(t.rest);

  w.heading(t.review);
  w.paragraph(input.reviewable ? t.reviewable(t.reach(p.address?.trim() || undefined, p.phone?.trim() || undefined, p.name)) : t.notReviewable);

  if (input.elsewhere?.trim()) {
    w.heading(t.elsewhere);
    w.paragraph(t.elsewhereText(input.elsewhere.trim()));
  }

  w.heading(t.complain, 150); // the heading stays with its whole paragraph (about six lines)
  w.paragraph(t.complainText(privacyContactLine(p, lang), p.address?.trim() || undefined));
  return w.finish();
}
