import { DateTime } from 'luxon';
import { AppError } from '../../../../shared/errors';
import { DocWriter } from './layout';

/** Languages patient-facing notices are written in (chosen from the preferred language recorded at intake). */
export type NoticeLanguage = 'en' | 'es';

/** What the delivery-failure notice needs. Deliberately nothing that identifies the patient or their health. */
export interface DeliveryFailureNoticeInput {
  practice: { name: string; phone?: string | undefined; address?: string | undefined };
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

const TEXT = {
  en: {
    docTitle: 'Notice: your records email could not be delivered',
    title: 'We could not deliver your records by email',
    date: 'Date of this notice',
    reference: 'Reference',
    what: 'What happened',
    whatText: (sent: string) =>
      `On ${sent} we sent the records you asked for by email, but the email could not be delivered: the receiving mail server returned it to us. Your request is still open, and we want to make sure you get your records.`,
    how: 'How to get your records',
    ways: [
      'Call us to give a different email address, or to confirm the one we have. We can send the records again, protected by a password that we give you by phone.',
      'Pick up a paper copy or a copy on a USB drive at our office. Please bring a photo ID.',
      'Ask us to mail a paper copy to you.',
    ],
    deadline: (due: string) => `This does not change our deadline: we will still complete your request by ${due}.`,
    noDeadline: 'This does not change the time we have to complete your request.',
    contact: (name: string, phone?: string) => `Please contact ${name}${phone ? ` at ${phone}` : ''} and mention the reference above.`,
    locale: 'en-US',
    dateFormat: 'MMMM d, yyyy',
  },
  es: {
    docTitle: 'Aviso: no se pudo entregar el correo con sus expedientes',
    title: 'No pudimos entregar sus expedientes por correo electrónico',
    date: 'Fecha de este aviso',
    reference: 'Referencia',
    what: 'Qué pasó',
    whatText: (sent: string) =>
      `El ${sent} le enviamos por correo electrónico los expedientes que usted pidió, pero el correo no se pudo entregar: el servidor de correo que lo recibía nos lo devolvió. Su solicitud sigue abierta y queremos asegurarnos de que reciba sus expedientes.`,
    how: 'Cómo obtener sus expedientes',
    ways: [
      'Llámenos para darnos otra dirección de correo electrónico o confirmar la que tenemos. Podemos enviarle los expedientes de nuevo, protegidos con una contraseña que le daremos por teléfono.',
      'Recoja una copia en papel o en una memoria USB en nuestra oficina. Por favor traiga una identificación con foto.',
      'Pídanos que le enviemos una copia en papel por correo postal.',
    ],
    deadline: (due: string) => `Esto no cambia nuestro plazo: completaremos su solicitud a más tardar el ${due}.`,
    noDeadline: 'Esto no cambia el plazo que tenemos para completar su solicitud.',
    contact: (name: string, phone?: string) => `Comuníquese con ${name}${phone ? ` al ${phone}` : ''} y mencione la referencia de arriba.`,
    locale: 'es-US',
    dateFormat: "d 'de' MMMM 'de' yyyy",
  },
} as const;

/**
 * The letter telling the patient that the email with their records could not be delivered and how to get them.
 * PHI-free by design: no name, date of birth, record number, address or description of the records — only the
 * practice, the release reference, dates and the ways to get the records — so it can be printed, mailed in a
 * window envelope or handed over without disclosing anything. English or Spanish. Returns PDF bytes (US Letter,
 * DejaVu Sans embedded, page numbers).
 * @throws AppError VALIDATION_FAILED on an invalid date
 * @source 45 CFR 164.524(b)(2) (time to act), 164.524(c)(2)–(3) (form and manner of access); 45 CFR 92.201 (language access)
 */
export async function renderDeliveryFailureNotice(input: DeliveryFailureNoticeInput): Promise<Uint8Array> {
  const t = TEXT[input.language];
  const long = (d: string): string => {
    const dt = DateTime.fromISO(d, { zone: 'UTC' });
    if (!dt.isValid) throw new AppError('VALIDATION_FAILED', 'A date on the delivery notice is not valid (expected YYYY-MM-DD).');
    return dt.setLocale(t.locale).toFormat(t.dateFormat);
  };
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
  return w.finish();
}
