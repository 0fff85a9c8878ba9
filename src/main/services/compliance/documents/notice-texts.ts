/**
 * The words of every patient-facing notice, one table per notice and one row per language of
 * `src/shared/languages.ts`. Texts are data: a notice's renderer picks the row of the request's preferred language
 * and never branches on the language itself. Each table is typed `Record<NoticeLanguage, …>`, so a language added to
 * the shared table does not compile until every notice has its words. Spanish is written in the formal "usted".
 * Source: 45 CFR 92.201 (language access); the notice contents cite their own paragraphs below.
 */
import { DateTime } from 'luxon';
import { AppError } from '../../../../shared/errors';
import { NOTICE_LANGUAGES, type NoticeLanguage } from '../../../../shared/languages';

/** The practice as printed on notices: name, postal address, phone, privacy official (164.530(a)(1)). */
export interface NoticePractice {
  name: string;
  address?: string | undefined;
  phone?: string | undefined;
  /** Free-text privacy contact (older settings), used when no privacy officer is recorded. */
  privacyContact?: string | undefined;
  privacyOfficer?: { name: string; phone?: string | undefined; email?: string | undefined } | undefined;
}

/**
 * A calendar date (`YYYY-MM-DD`) written out in the language's long form ("April 30, 2026" / "30 de abril de 2026").
 * @throws AppError VALIDATION_FAILED when the date is not a valid calendar date
 */
export function longDate(d: string, language: NoticeLanguage): string {
  const dt = DateTime.fromISO(d, { zone: 'UTC' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !dt.isValid) throw new AppError('VALIDATION_FAILED', 'A date on the notice is not valid (expected YYYY-MM-DD).');
  const l = NOTICE_LANGUAGES[language];
  return dt.setLocale(l.locale).toFormat(l.longDate);
}

/** The ways to reach someone ("(217) 555-0142", "privacy@…"), blanks dropped. */
function ways(...xs: Array<string | undefined>): string[] {
  return xs.filter((x): x is string => Boolean(x && x.trim())).map((x) => x.trim());
}

/** Words shared by the privacy-contact line of every notice. */
interface ContactTexts {
  /** "our privacy officer, NAME, at PHONE or EMAIL" (phone and email optional). */
  officer: (name: string, phone: string | undefined, email: string | undefined) => string;
  /** Fallback when the practice recorded no privacy officer: "our privacy officer" (or the free-text contact) "at PHONE". */
  fallback: (contact: string | undefined, phone: string | undefined) => string;
}

export const CONTACT_TEXT: Record<NoticeLanguage, ContactTexts> = {
  en: {
    officer: (name, phone, email) => {
      const w = ways(phone, email);
      return `our privacy officer, ${name}${w.length ? `, at ${w.join(' or ')}` : ''}`;
    },
    fallback: (c, phone) => `${c || 'our privacy officer'}${phone ? ` at ${phone}` : ''}`,
  },
  es: {
    officer: (name, phone, email) => {
      const w = [...ways(phone).map((p) => `al teléfono ${p}`), ...ways(email).map((e) => `por correo electrónico a ${e}`)];
      return `nuestro responsable de privacidad, ${name}${w.length ? `, ${w.join(' o ')}` : ''}`;
    },
    fallback: (c, phone) => `${c || 'nuestro responsable de privacidad'}${phone ? ` al teléfono ${phone}` : ''}`,
  },
};

/**
 * "our privacy officer, NAME, at PHONE or EMAIL" (in the notice's language) from the practice's privacy official
 * (164.530(a)(1)), falling back to the practice phone; "our privacy officer" alone only when the practice recorded
 * nobody.
 */
export function privacyContactLine(p: NoticePractice, language: NoticeLanguage = 'en'): string {
  const t = CONTACT_TEXT[language];
  const po = p.privacyOfficer;
  if (po) return t.officer(po.name, po.phone?.trim() || p.phone?.trim() || undefined, po.email?.trim() || undefined);
  return t.fallback(p.privacyContact?.trim(), p.phone);
}

/** The headings every written notice to the individual starts with: title, date, addressee, the request, why and the law. */
interface NoticeHeadings {
  docTitle: string;
  title: string;
  date: string;
  to: string;
  received: string;
  why: string;
  law: string;
  reason: string;
}

/** The words of the written extension notice (45 CFR 164.524(b)(2)(ii)). */
export interface ExtensionTexts extends NoticeHeadings {
  when: string;
  by: (date: string) => string;
  onlyOne: string;
  questions: string;
  contact: (who: string) => string;
}

export const EXTENSION_TEXT: Record<NoticeLanguage, ExtensionTexts> = {
  en: {
    docTitle: 'Notice of extension',
    title: 'Notice: we need more time to respond to your request for records',
    date: 'Date of this notice',
    to: 'To',
    received: 'Your request was received on',
    why: 'Why we need more time',
    law:
      'Federal law (45 CFR 164.524) gives us 30 days to act on your request to see or get a copy of your health information, and allows one extension of up to 30 more days if we tell you in writing, within the first 30 days, why we need it and when we will finish.',
    reason: 'Reason for the delay',
    when: 'When we will complete your request',
    by: (d) => `We will complete our action on your request no later than ${d}.`,
    onlyOne: 'This is the only extension we can take. If we can finish sooner, we will.',
    questions: 'Questions',
    contact: (who) =>
      `If you have questions about this notice or your request, contact ${who}. ` +
      'You may also file a complaint with the practice or with the U.S. Department of Health and Human Services, Office for Civil Rights.',
  },
  es: {
    docTitle: 'Aviso de prórroga',
    title: 'Aviso: necesitamos más tiempo para responder a su solicitud de expedientes',
    date: 'Fecha de este aviso',
    to: 'Para',
    received: 'Recibimos su solicitud el',
    why: 'Por qué necesitamos más tiempo',
    law:
      'La ley federal (45 CFR 164.524) nos da 30 días para responder a su solicitud de ver u obtener una copia de su información de salud, y permite una sola prórroga de hasta 30 días más si le informamos por escrito, dentro de los primeros 30 días, por qué la necesitamos y cuándo terminaremos.',
    reason: 'Motivo de la demora',
    when: 'Cuándo completaremos su solicitud',
    by: (d) => `Completaremos nuestra respuesta a su solicitud a más tardar el ${d}.`,
    onlyOne: 'Esta es la única prórroga que podemos tomar. Si podemos terminar antes, lo haremos.',
    questions: 'Preguntas',
    contact: (who) =>
      `Si tiene preguntas sobre este aviso o sobre su solicitud, comuníquese con ${who}. ` +
      'También puede presentar una queja ante el consultorio o ante la Oficina de Derechos Civiles del Departamento de Salud y Servicios Humanos de los EE. UU.',
  },
};

/** The words of the delivery-failure notice (PHI-free; 45 CFR 164.524(b)(2), (c)(2)–(3)). */
export interface DeliveryFailureTexts {
  docTitle: string;
  title: string;
  date: string;
  reference: string;
  what: string;
  whatText: (sent: string) => string;
  how: string;
  ways: readonly string[];
  deadline: (due: string) => string;
  noDeadline: string;
  contact: (name: string, phone?: string) => string;
  privacy: (who: string) => string;
}

export const DELIVERY_FAILURE_TEXT: Record<NoticeLanguage, DeliveryFailureTexts> = {
  en: {
    docTitle: 'Notice: your records email could not be delivered',
    title: 'We could not deliver your records by email',
    date: 'Date of this notice',
    reference: 'Reference',
    what: 'What happened',
    whatText: (sent) =>
      `On ${sent} we sent the records you asked for by email, but the email could not be delivered: the receiving mail server returned it to us. Your request is still open, and we want to make sure you get your records.`,
    how: 'How to get your records',
    ways: [
      'Call us to give a different email address, or to confirm the one we have. We can send the records again, protected by a password that we give you by phone.',
      'Pick up a paper copy or a copy on a USB drive at our office. Please bring a photo ID.',
      'Ask us to mail a paper copy to you.',
    ],
    deadline: (due) => `This does not change our deadline: we will still complete your request by ${due}.`,
    noDeadline: 'This does not change the time we have to complete your request.',
    contact: (name, phone) => `Please contact ${name}${phone ? ` at ${phone}` : ''} and mention the reference above.`,
    privacy: (who) => `For questions about your privacy, you may also contact ${who}.`,
  },
  es: {
    docTitle: 'Aviso: no se pudo entregar el correo con sus expedientes',
    title: 'No pudimos entregar sus expedientes por correo electrónico',
    date: 'Fecha de este aviso',
    reference: 'Referencia',
    what: 'Qué pasó',
    whatText: (sent) =>
      `El ${sent} le enviamos por correo electrónico los expedientes que usted pidió, pero el correo no se pudo entregar: el servidor de correo que lo recibía nos lo devolvió. Su solicitud sigue abierta y queremos asegurarnos de que reciba sus expedientes.`,
    how: 'Cómo obtener sus expedientes',
    ways: [
      'Llámenos para darnos otra dirección de correo electrónico o para confirmar la que tenemos. Podemos enviarle los expedientes de nuevo, protegidos con una contraseña que le daremos por teléfono.',
      'Recoja una copia en papel o en una memoria USB en nuestra oficina. Por favor, traiga una identificación con foto.',
      'Pídanos que le enviemos una copia en papel por correo postal.',
    ],
    deadline: (due) => `Esto no cambia nuestro plazo: completaremos su solicitud a más tardar el ${due}.`,
    noDeadline: 'Esto no cambia el plazo que tenemos para completar su solicitud.',
    contact: (name, phone) => `Comuníquese con ${name}${phone ? ` al teléfono ${phone}` : ''} y mencione la referencia de arriba.`,
    privacy: (who) => `Si tiene preguntas sobre su privacidad, también puede comunicarse con ${who}.`,
  },
};

/** The words of the written denial of access (45 CFR 164.524(d)(2)–(3)). */
export interface DenialTexts extends NoticeHeadings {
  rest: string;
  review: string;
  /** Reviewable grounds (164.524(a)(3)): how to ask for a review by a licensed health care professional ((a)(4), (d)(4)). */
  reviewable: (how: string) => string;
  /** Unreviewable grounds (164.524(a)(2)). */
  notReviewable: string;
  elsewhere: string;
  elsewhereText: (where: string) => string;
  complain: string;
  complainText: (who: string, address: string | undefined) => string;
  /** "write to us at ADDRESS or call PHONE" (blank parts dropped) — how to reach the practice. */
  reach: (address: string | undefined, phone: string | undefined, name: string) => string;
}

export const DENIAL_TEXT: Record<NoticeLanguage, DenialTexts> = {
  en: {
    docTitle: 'Notice of denial of access',
    title: 'Notice: we cannot give you some or all of the records you asked for',
    date: 'Date of this notice',
    to: 'To',
    received: 'Your request was received on',
    why: 'Why we denied your request',
    law: 'Federal law (45 CFR 164.524) gives you the right to see and get a copy of your health information, with a few exceptions. We have decided that an exception applies, for this reason:',
    reason: 'Reason for the denial',
    rest: 'If we denied only part of your request, we will still give you the rest of the information you asked for.',
    review: 'Your right to a review',
    reviewable: (how) =>
      `You may ask for this denial to be reviewed by a licensed health care professional, chosen by us, who did not take part in the decision. To ask for a review, ${how}. We will tell you the result in writing.`,
    notReviewable: 'The reason for this denial is one that federal law does not allow to be reviewed (45 CFR 164.524(a)(2)).',
    elsewhere: 'Where the records may be',
    elsewhereText: (where) => `We do not keep the records you asked for. You may ask: ${where}.`,
    complain: 'How to file a complaint',
    complainText: (who, address) =>
      `If you think we made a mistake, you may file a complaint with us by contacting ${who}${address ? `, or by writing to us at ${address}` : ''}. ` +
      'You may also file a complaint with the U.S. Department of Health and Human Services, Office for Civil Rights (www.hhs.gov/ocr/complaints, 1-800-368-1019). We will not retaliate against you for filing a complaint.',
    reach: (address, phone, name) => {
      const w = [address ? `write to ${name} at ${address}` : '', phone ? `call us at ${phone}` : ''].filter(Boolean);
      return w.length ? w.join(' or ') : `contact ${name}`;
    },
  },
  es: {
    docTitle: 'Aviso de denegación de acceso',
    title: 'Aviso: no podemos darle algunos o todos los expedientes que pidió',
    date: 'Fecha de este aviso',
    to: 'Para',
    received: 'Recibimos su solicitud el',
    why: 'Por qué denegamos su solicitud',
    law: 'La ley federal (45 CFR 164.524) le da el derecho de ver y obtener una copia de su información de salud, con algunas excepciones. Hemos decidido que se aplica una excepción, por este motivo:',
    reason: 'Motivo de la denegación',
    rest: 'Si denegamos solo una parte de su solicitud, le daremos de todos modos el resto de la información que pidió.',
    review: 'Su derecho a una revisión',
    reviewable: (how) =>
      `Usted puede pedir que esta denegación sea revisada por un profesional de la salud con licencia, elegido por nosotros, que no participó en la decisión. Para pedir una revisión, ${how}. Le informaremos el resultado por escrito.`,
    notReviewable: 'El motivo de esta denegación es uno que la ley federal no permite revisar (45 CFR 164.524(a)(2)).',
    elsewhere: 'Dónde pueden estar los expedientes',
    elsewhereText: (where) => `No guardamos los expedientes que pidió. Puede pedirlos a: ${where}.`,
    complain: 'Cómo presentar una queja',
    complainText: (who, address) =>
      `Si cree que cometimos un error, puede presentarnos una queja comunicándose con ${who}${address ? `, o escribiéndonos a ${address}` : ''}. ` +
      'También puede presentar una queja ante la Oficina de Derechos Civiles del Departamento de Salud y Servicios Humanos de los EE. UU. (www.hhs.gov/ocr/complaints, 1-800-368-1019). No tomaremos represalias contra usted por presentar una queja.',
    reach: (address, phone, name) => {
      const w = [address ? `escriba a ${name}, ${address}` : '', phone ? `llámenos al teléfono ${phone}` : ''].filter(Boolean);
      return w.length ? w.join(' o ') : `comuníquese con ${name}`;
    },
  },
};
