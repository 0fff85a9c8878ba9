import { DateTime } from 'luxon';
import { AppError } from '../../../../shared/errors';
import { DocWriter } from './layout';

/** What the written extension notice needs (45 CFR 164.524(b)(2)(ii)). */
export interface ExtensionNoticeInput {
  practice: { name: string; address?: string; phone?: string; privacyContact?: string; privacyOfficer?: { name: string; phone?: string; email?: string } };
  /** The individual (or personal representative) the notice is addressed to. */
  addresseeName: string;
  /** Calendar date (`YYYY-MM-DD`) the request was received (day 0). */
  receivedDate: string;
  /** Calendar date the notice is given; must be within the first 30 days. */
  noticeDate: string;
  /** Reason for the delay (plain language). */
  reason: string;
  /** The date by which the practice will complete its action (≤ day 60). */
  newDueDate: string;
  /** Assets root for fonts (defaults to `<cwd>/assets`). */
  assetsRoot?: string;
}

/**
 * "our privacy officer, NAME, at PHONE or EMAIL" from the practice's privacy officer (164.530(a)(1)), falling back
 * to the practice phone; "our privacy officer" alone only when the practice recorded nobody.
 */
export function privacyContactLine(p: ExtensionNoticeInput['practice']): string {
  const po = p.privacyOfficer;
  if (po) {
    const ways = [po.phone || p.phone, po.email].filter((x): x is string => Boolean(x && x.trim()));
    return `our privacy officer, ${po.name}${ways.length ? `, at ${ways.join(' or ')}` : ''}`;
  }
  return `${p.privacyContact?.trim() || 'our privacy officer'}${p.phone ? ` at ${p.phone}` : ''}`;
}

const long = (d: string): string => {
  const dt = DateTime.fromISO(d, { zone: 'UTC' });
  if (!dt.isValid) throw new AppError('VALIDATION_FAILED', 'A date on the extension notice is not valid (expected YYYY-MM-DD).');
  return dt.setLocale('en-US').toFormat('MMMM d, yyyy');
};

/**
 * The written notice extending the time to act on a right-of-access request.
 *
 * States, as 164.524(b)(2)(ii) requires, the reasons for the delay and the date
 * by which the practice will complete its action; also the receipt date and
 * whom to contact. The grant itself is checked by grantExtension (deadlines.ts);
 * this only renders. Returns PDF bytes (US Letter, DejaVu Sans embedded, page
 * numbers). The PDF is PHI: store it encrypted, never as a plain temp file.
 * @throws AppError VALIDATION_FAILED on an invalid date or an empty reason
 */
export async function renderExtensionNotice(input: ExtensionNoticeInput): Promise<Uint8Array> {
  if (!input.reason.trim()) throw new AppError('VALIDATION_FAILED', 'The extension notice needs a reason for the delay.');
  const w = await DocWriter.create(input.practice.name, 'Notice of extension', input.assetsRoot);
  const contact = [input.practice.address, input.practice.phone].filter((x): x is string => Boolean(x && x.trim()));
  if (contact.length) w.paragraph(contact.join('  ·  '), { size: 9, muted: true, after: 14 });

  w.title('Notice: we need more time to respond to your request for records');
  w.field('Date of this notice', long(input.noticeDate));
  w.field('To', input.addresseeName);
  w.field('Your request was received on', long(input.receivedDate));

  w.heading('Why we need more time');
  w.paragraph(
    'Federal law (45 CFR 164.524) gives us 30 days to act on your request to see or get a copy of your health information, and allows one extension of up to 30 more days if we tell you in writing, within the first 30 days, why we need it and when we will finish.',
  );
  w.field('Reason for the delay', input.reason.trim(), 3);

  w.heading('When we will complete your request');
  w.paragraph(`We will complete our action on your request no later than ${long(input.newDueDate)}.`, { bold: true, size: 11.5, after: 8 });
  w.paragraph('This is the only extension we can take. If we can finish sooner, we will.');

  w.heading('Questions');
  w.paragraph(
    `If you have questions about this notice or your request, contact ${privacyContactLine(input.practice)}. ` +
      'You may also file a complaint with the practice or with the U.S. Department of Health and Human Services, Office for Civil Rights.',
  );
  return w.finish();
}
