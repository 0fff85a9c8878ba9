/**
 * The languages ReleaseDesk writes patient-facing notices in (delivery failure, extension, and later status
 * notices), recorded per request at intake as `preferredLanguage`. One table: the intake control, the contract's
 * enum and every notice's date format read it, so adding a language is one row here plus its notice texts.
 * Source: 45 CFR 92.201 (meaningful access for individuals with limited English proficiency).
 */
import { z } from 'zod';

/** Language codes (ISO 639-1) notices are written in; the first is the default. */
export const NOTICE_LANGUAGE_CODES = ['en', 'es'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGE_CODES)[number];

/** The zod schema of a notice language code (used by the contract). */
export const NoticeLanguageSchema = z.enum(NOTICE_LANGUAGE_CODES);

/** The default when the request recorded no preference. */
export const DEFAULT_NOTICE_LANGUAGE: NoticeLanguage = 'en';

/** How each language is named to staff and how notices in it write dates (luxon format tokens). */
export interface NoticeLanguageInfo {
  code: NoticeLanguage;
  /** Name for staff, in English ("Spanish"). */
  label: string;
  /** The language's own name ("Español"), shown beside the English one so a patient can point at it. */
  nativeName: string;
  /** BCP 47 locale for month names. */
  locale: string;
  /** Long calendar-date format on notices (luxon `toFormat` tokens). */
  longDate: string;
}

export const NOTICE_LANGUAGES: Readonly<Record<NoticeLanguage, NoticeLanguageInfo>> = {
  en: { code: 'en', label: 'English', nativeName: 'English', locale: 'en-US', longDate: 'MMMM d, yyyy' },
  es: { code: 'es', label: 'Spanish', nativeName: 'Español', locale: 'es-US', longDate: "d 'de' MMMM 'de' yyyy" },
};

/** The language a request's notices are written in: its recorded preference, else {@link DEFAULT_NOTICE_LANGUAGE}. */
export function noticeLanguageOf(r: { preferredLanguage?: NoticeLanguage | undefined } | null | undefined): NoticeLanguage {
  return r?.preferredLanguage ?? DEFAULT_NOTICE_LANGUAGE;
}

/** "Spanish (Español)" / "English": how staff see a language. */
export function languageLabel(code: NoticeLanguage): string {
  const l = NOTICE_LANGUAGES[code];
  return l.label === l.nativeName ? l.label : `${l.label} (${l.nativeName})`;
}
