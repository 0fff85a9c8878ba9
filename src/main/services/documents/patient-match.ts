/**
 * Does a record file belong to the release's patient? A pure comparison of a document's extracted text (one
 * string per page) with the patient's identifiers: name, date of birth, medical record number (MRN).
 *
 * Why: a misdirected record — another patient's file imported into this patient's release — is an impermissible
 * disclosure of that other patient's PHI (45 CFR 164.502(a)) and a reportable breach (164.402). The minimum
 * necessary safeguards (164.514(d)) and reasonable safeguards (164.530(c)) expect the practice to look before it
 * sends. This module only reads text; it never reports identifier VALUES, only which kinds matched or differed
 * and on which pages, so its result is PHI-free and may go into codes and the audit log.
 *
 * Tolerances (deliberate): names in any order, any case, with or without accents (Unicode NFKD, combining marks
 * dropped), with middle names or initials, "Family, Given"; dates of birth as `YYYY-MM-DD`, `MM/DD/YYYY`,
 * `M/D/YY`, `MM-DD-YYYY`, `MM.DD.YYYY`, `Month D, YYYY`, `Mon D YYYY`, `D Month YYYY`; MRNs compared on letters
 * and digits only, case-insensitively.
 *
 * A CONFLICT is reported only where the text labels an identifier ("MRN: …", "DOB: …", "Patient: …") and the
 * labelled value is not this patient's: visit dates, provider names and other numbers are not guesses at the
 * patient. A two-digit year is read as 20YY unless that is after the current year, then 19YY.
 */

import { nothingFoundYet } from '../../../shared/patient-check';

/** The identifiers the release's patient is known by (from the request). `dateOfBirth` is `YYYY-MM-DD`. */
export interface PatientIdentifiers {
  name: string;
  dateOfBirth: string;
  mrn: string;
}

/**
 * The outcome for one document:
 * - `match`: this patient's name or MRN is in the text and no labelled identifier names someone else;
 * - `mismatch`: a labelled MRN or date of birth is not this patient's (a clear sign of another patient's record);
 * - `name_differs`: a labelled patient name is not this patient's, and no MRN/DOB contradicts (nicknames, typos:
 *   a warning for staff to look, not a block);
 * - `not_found`: there is text but neither this patient's name nor MRN is in it;
 * - `no_text`: no page has a text layer (a scan without OCR): the document could not be checked.
 */
export type PatientMatchOutcome = 'match' | 'mismatch' | 'name_differs' | 'not_found' | 'no_text';

/** PHI-free result: flags, counts and 1-based page numbers only. */
export interface PatientMatchResult {
  outcome: PatientMatchOutcome;
  nameFound: boolean;
  dobFound: boolean;
  mrnFound: boolean;
  /** Labelled MRNs that are not this patient's (count of occurrences). */
  otherMrns: number;
  /** Labelled dates of birth that are not this patient's. */
  otherDobs: number;
  /** Labelled patient names that are not this patient's. */
  otherNames: number;
  /** 1-based pages with a labelled identifier of someone else (MRN, DOB or name). */
  conflictPages: number[];
  pagesChecked: number;
  /** Pages with (almost) no extractable text: scans without a text layer. */
  pagesWithoutText: number;
}

/** Fewer letters and digits than this on a page means the page has no usable text layer. */
export const MIN_TEXT_CHARS = 12;

/** Lower case, accents dropped (NFKD minus combining marks), punctuation to spaces, single spaces. */
export function foldText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function nameTokens(name: string): string[] {
  return foldText(name)
    .split(' ')
    .filter((t) => t.length > 0);
}

/** The patient's given (first) and family (last) tokens; middle names are optional in documents. */
function keyNameTokens(name: string): { given: string; family: string } | null {
  const t = nameTokens(name);
  if (t.length === 0) return null;
  return { given: t[0]!, family: t[t.length - 1]! };
}

/**
 * True when the folded `text` contains the patient's given and family names within `window` tokens of each
 * other, in either order (covers "Given M. Family", "Family, Given", "FAMILY GIVEN MIDDLE").
 */
export function containsName(text: string, name: string, window = 3): boolean {
  const key = keyNameTokens(name);
  if (!key) return false;
  const toks = foldText(text).split(' ');
  if (key.given === key.family) return toks.includes(key.given);
  const gi: number[] = [];
  const fi: number[] = [];
  toks.forEach((t, i) => {
    if (t === key.given) gi.push(i);
    if (t === key.family) fi.push(i);
  });
  return gi.some((g) => fi.some((f) => f !== g && Math.abs(f - g) <= window));
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};

function iso(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1850 || y > 2200) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function year(y: string, refYear: number): number {
  if (y.length === 4) return Number(y);
  const n = Number(y);
  const c = 2000 + n;
  return c > refYear ? 1900 + n : c;
}

const MONTH_RE = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
/** Date patterns in the usual US (and ISO) formats, each with a converter to `YYYY-MM-DD`. */
const DATE_PATTERNS: Array<{ re: RegExp; toIso: (m: RegExpExecArray, refYear: number) => string | null }> = [
  { re: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, toIso: (m) => iso(Number(m[1]), Number(m[2]), Number(m[3])) },
  { re: /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b/g, toIso: (m, r) => iso(year(m[3]!, r), Number(m[1]), Number(m[2])) },
  { re: new RegExp(`\\b${MONTH_RE}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'gi'), toIso: (m) => iso(Number(m[3]), MONTHS[m[1]!.toLowerCase()]!, Number(m[2])) },
  { re: new RegExp(`\\b(\\d{1,2})\\s+${MONTH_RE}\\.?,?\\s+(\\d{4})\\b`, 'gi'), toIso: (m) => iso(Number(m[3]), MONTHS[m[2]!.toLowerCase()]!, Number(m[1])) },
];

/** Every date in `text` as `{ index, iso }` (index of its first character). */
export function findDates(text: string, refYear = new Date().getUTCFullYear()): Array<{ index: number; end: number; iso: string }> {
  const out: Array<{ index: number; end: number; iso: string }> = [];
  for (const p of DATE_PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      const v = p.toIso(m, refYear);
      if (v) out.push({ index: m.index, end: m.index + m[0].length, iso: v });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

const DOB_LABEL = /(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthdate\b|\bborn\b)/gi;
const MRN_LABEL = /(?<![\p{L}\p{N}-])(?:mrn|medical\s+record\s+(?:number|no\.?|#)|chart\s+(?:number|no\.?|#)|patient\s+id)(?:[\s:#.]|no\.)+([A-Za-z0-9][A-Za-z0-9-]*)/giu;
const PATIENT_LABEL = /(?:\bpatient(?:\s+name)?|\bname\s+of\s+patient)\s*:\s*([^\n:]{2,60})/gi;

function alnum(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

/** The words after a "Patient:" label up to the next label-like word (DOB, MRN, Date, Sex ...). */
function labelledName(raw: string): string {
  const stop = /\b(?:dob|d\.o\.b|date|mrn|sex|gender|age|born|id|chart|medical|account|acct|phone|address|visit|provider)\b/i;
  const m = stop.exec(raw);
  return (m ? raw.slice(0, m.index) : raw).replace(/[^\p{L}\s,.'-]/gu, ' ').trim();
}

/** Does a labelled name denote this patient? All its letter tokens of 2+ letters must be among the patient's name tokens, given and family both present. */
function sameName(labelled: string, patientName: string): boolean {
  const mine = new Set(nameTokens(patientName));
  const theirs = nameTokens(labelled).filter((t) => t.length >= 2);
  if (theirs.length === 0) return true; // nothing to compare: not a conflict
  return containsName(labelled, patientName) && theirs.every((t) => mine.has(t));
}

/** Compare ONE page's text with the patient. */
function checkPage(raw: string, p: PatientIdentifiers, refYear: number) {
  const text = raw.normalize('NFC');
  const letters = text.replace(/[^\p{L}\p{N}]/gu, '').length;
  const r = { hasText: letters >= MIN_TEXT_CHARS, name: false, dob: false, mrn: false, otherMrns: 0, otherDobs: 0, otherNames: 0 };
  if (!r.hasText) return r;
  r.name = containsName(text, p.name);
  const dates = findDates(text, refYear);
  r.dob = dates.some((d) => d.iso === p.dateOfBirth);
  const mine = alnum(p.mrn);
  r.mrn = mine.length > 0 && new RegExp(`(?:^|[^A-Z0-9])${mine.split('').join('[^A-Z0-9]?')}(?![A-Z0-9])`, 'i').test(text.toUpperCase());

  // Labelled dates of birth: the first date within 25 characters after the label.
  DOB_LABEL.lastIndex = 0;
  for (let m = DOB_LABEL.exec(text); m; m = DOB_LABEL.exec(text)) {
    const after = m.index + m[0].length;
    const d = dates.find((x) => x.index >= after && x.index - after <= 25);
    if (d && d.iso !== p.dateOfBirth) r.otherDobs++;
  }
  MRN_LABEL.lastIndex = 0;
  for (let m = MRN_LABEL.exec(text); m; m = MRN_LABEL.exec(text)) {
    const v = alnum(m[1]!);
    if (!/\d/.test(v)) continue; // "MRN: see above", a word: not an identifier
    if (v !== mine && !(mine.endsWith(v) && v.length >= 4) && !(v.endsWith(mine) && mine.length >= 4)) r.otherMrns++;
  }
  PATIENT_LABEL.lastIndex = 0;
  for (let m = PATIENT_LABEL.exec(text); m; m = PATIENT_LABEL.exec(text)) {
    const n = labelledName(m[1]!);
    if (nameTokens(n).filter((t) => t.length >= 2).length >= 2 && !sameName(n, p.name)) r.otherNames++;
  }
  return r;
}

/**
 * Compare a document's pages (extracted text, one string per page, in order) with the patient.
 * @param pages text of each page; an empty string for a page without a text layer
 * @param refYear the current year, for two-digit years (default: now, UTC)
 * @returns a PHI-free PatientMatchResult (see PatientMatchOutcome for the rules)
 */
export function matchPatient(pages: readonly string[], patient: PatientIdentifiers, refYear = new Date().getUTCFullYear()): PatientMatchResult {
  const res: PatientMatchResult = {
    outcome: 'no_text',
    ...nothingFoundYet(),
    pagesChecked: pages.length,
    pagesWithoutText: 0,
  };
  pages.forEach((text, i) => {
    const r = checkPage(text, patient, refYear);
    if (!r.hasText) {
      res.pagesWithoutText++;
      return;
    }
    res.nameFound ||= r.name;
    res.dobFound ||= r.dob;
    res.mrnFound ||= r.mrn;
    res.otherMrns += r.otherMrns;
    res.otherDobs += r.otherDobs;
    res.otherNames += r.otherNames;
    if (r.otherMrns + r.otherDobs + r.otherNames > 0) res.conflictPages.push(i + 1);
  });
  if (res.pagesWithoutText === pages.length) res.outcome = 'no_text';
  else if (res.otherMrns > 0 || res.otherDobs > 0) res.outcome = 'mismatch';
  else if (res.otherNames > 0) res.outcome = 'name_differs';
  else if (res.nameFound || res.mrnFound) res.outcome = 'match';
  else res.outcome = 'not_found';
  return res;
}
