/**
 * Accounting of disclosures (45 CFR 164.528) and the complete disclosure log, as pure functions of
 * the records read by disclosures-repo.ts.
 *
 * Rules encoded here, each with its paragraph:
 * - A transmission is a disclosure when at least one part was accepted ('sent'), came back ('bounced':
 *   it left the practice) or may have arrived ('unconfirmed', flagged), or when its method is 'export'
 *   or 'print' (the packet was handed over). A transmission none of whose parts left is not a disclosure.
 * - Reportable are all disclosures except those listed in 164.528(a)(1): (i) treatment, payment, health
 *   care operations; (ii) to the individual (right of access, and the copy the individual directs to a
 *   named person under 164.524(c)(3)(ii), which is part of the right of access); (iv) under an
 *   authorization (164.508). (iii) incidental, (v) facility directory/persons involved in care, (vi)
 *   national security, (vii) correctional institutions, (viii) limited data sets and (ix) disclosures
 *   before the compliance date are never made through ReleaseDesk. A disclosure whose basis was not
 *   recorded is included (flagged), because over-reporting is the safe side.
 * - The window is the six years before the date the accounting is requested (164.528(a)(1), (b)(1)).
 * - Each entry: date, recipient name and address if known, brief description, brief purpose or a copy of
 *   the written request (164.528(b)(2)).
 * - A health-oversight agency or law-enforcement official may have the individual's right suspended for a
 *   stated time (164.528(a)(2)); an oral statement suspends for at most 30 days ((a)(2)(ii)). Disclosures
 *   to that agency are withheld from accountings produced while the suspension lasts.
 */
import type { LegalBasis } from '../../../shared/compliance';
import { MANUAL_DISCLOSURE_CATEGORIES, type AccountingSuspension, type ManualDisclosure, type TransmissionDisclosure } from './disclosures-repo';
import { addDays } from '../compliance/dates';

/** Whether and why a disclosure appears in the accounting. */
export interface AccountingRule {
  reportable: boolean;
  /** The CFR paragraph that includes or excludes it. */
  citation: string;
  reason: string;
}

/** The 164.528(a)(1) classification of a legal basis. */
export function accountingRuleFor(basis: LegalBasis | null): AccountingRule {
  switch (basis) {
    case 'tpo':
      return { reportable: false, citation: '45 CFR 164.528(a)(1)(i)', reason: 'Treatment, payment or health care operations' };
    case 'right_of_access':
      return { reportable: false, citation: '45 CFR 164.528(a)(1)(ii)', reason: 'To the individual (right of access)' };
    case 'patient_directed':
      return { reportable: false, citation: '45 CFR 164.528(a)(1)(ii); 164.524(c)(3)(ii)', reason: 'Copy the individual directed to a named person (right of access)' };
    case 'authorization':
      return { reportable: false, citation: '45 CFR 164.528(a)(1)(iv)', reason: 'Under the individual’s authorization' };
    case 'required_by_law':
      return { reportable: true, citation: '45 CFR 164.528(a); 164.512(a)', reason: 'Required by law' };
    case 'hhs':
      return { reportable: true, citation: '45 CFR 164.528(a); 164.502(a)(2)(ii)', reason: 'To the Secretary of HHS' };
    default:
      return { reportable: true, citation: '45 CFR 164.528(a)', reason: 'Legal basis not recorded: included to be safe' };
  }
}

/** Whether a transmission is a disclosure, and whether it may not have arrived. */
export function disclosureStatus(t: Pick<TransmissionDisclosure, 'method' | 'partStatuses' | 'partsSent'>): { disclosed: boolean; unconfirmed: boolean; bounced: boolean } {
  const n = (s: string) => t.partStatuses[s] ?? 0;
  const anyParts = Object.values(t.partStatuses).some((x) => x > 0);
  const handedOver = t.method === 'export' || t.method === 'print';
  // Transmissions recorded before per-part results existed: the partsSent count speaks for them.
  const accepted = n('sent') > 0 || n('bounced') > 0 || n('unconfirmed') > 0 || (!anyParts && t.partsSent > 0);
  return { disclosed: handedOver || accepted, unconfirmed: n('unconfirmed') > 0, bounced: n('bounced') > 0 };
}

/** One line of an accounting or of the disclosure log. */
export interface DisclosureEntry {
  /** Calendar date (YYYY-MM-DD, practice time zone) of the disclosure. */
  date: string;
  at: string | null;
  patientName: string;
  patientMrn: string;
  recipientName: string;
  recipientAddress: string | null;
  description: string;
  purpose: string;
  /** 'releasedesk' (a transmission) or 'manual' (entered by hand). */
  source: 'releasedesk' | 'manual';
  reference: string | null;
  method: string | null;
  sender: string;
  rule: AccountingRule;
  /** May have been delivered: the server's reply never came. */
  unconfirmed: boolean;
  bounced: boolean;
}

/**
 * Build the disclosure entries (every disclosure, reportable or not), oldest first.
 * @param localDate the calendar date of an instant in the practice's time zone
 */
export function disclosureEntries(transmissions: TransmissionDisclosure[], manual: ManualDisclosure[], localDate: (iso: string) => string): DisclosureEntry[] {
  const out: DisclosureEntry[] = [];
  for (const t of transmissions) {
    const s = disclosureStatus(t);
    if (!s.disclosed) continue;
    out.push({
      date: localDate(t.at),
      at: t.at,
      patientName: t.patientName,
      patientMrn: t.patientMrn,
      recipientName: t.recipientName,
      recipientAddress: t.recipientAddress,
      description: t.description,
      purpose: t.purpose,
      source: 'releasedesk',
      reference: t.releaseReference,
      method: t.method,
      sender: t.sender,
      rule: accountingRuleFor(t.legalBasis),
      unconfirmed: s.unconfirmed,
      bounced: s.bounced,
    });
  }
  for (const m of manual) {
    const cat = MANUAL_DISCLOSURE_CATEGORIES[m.category];
    out.push({
      date: m.disclosedOn,
      at: null,
      patientName: m.patientName,
      patientMrn: m.patientMrn,
      recipientName: m.recipientName,
      recipientAddress: m.recipientAddress,
      description: m.description,
      purpose: `${m.purpose} (${cat.label}, ${cat.cite})`,
      source: 'manual',
      reference: null,
      method: null,
      sender: m.enteredBy,
      rule: { reportable: true, citation: `45 CFR 164.528(a); ${cat.cite}`, reason: cat.label },
      unconfirmed: false,
      bounced: false,
    });
  }
  return out.sort((a, b) => (a.date === b.date ? (a.at ?? '').localeCompare(b.at ?? '') : a.date.localeCompare(b.date)));
}

/** The accounting for one individual as of a date. */
export interface Accounting {
  /** The date the accounting was requested (YYYY-MM-DD). */
  asOf: string;
  /** First day of the window: six years before `asOf` (164.528(a)(1)). */
  from: string;
  /** Reportable disclosures inside the window, oldest first. */
  entries: DisclosureEntry[];
  /** Reportable disclosures withheld under a suspension in effect on `asOf` (for the privacy officer only). */
  withheld: Array<{ entry: DisclosureEntry; suspension: AccountingSuspension }>;
  /** Disclosures inside the window that are excluded by 164.528(a)(1), with their citation. */
  excluded: DisclosureEntry[];
}

/**
 * The accounting of disclosures for one individual (164.528): reportable disclosures from the six years
 * before `asOf`, minus those withheld under a suspension in effect on `asOf` (164.528(a)(2)).
 * @param entries the individual's disclosure entries (see {@link disclosureEntries})
 * @param asOf calendar date the accounting was requested (YYYY-MM-DD)
 */
export function accountingOf(entries: DisclosureEntry[], suspensions: AccountingSuspension[], asOf: string): Accounting {
  const from = sixYearsBefore(asOf);
  const inWindow = entries.filter((e) => e.date >= from && e.date <= asOf);
  const active = suspensions.filter((s) => s.startsOn <= asOf && asOf <= s.endsOn);
  const acc: Accounting = { asOf, from, entries: [], withheld: [], excluded: [] };
  for (const e of inWindow) {
    if (!e.rule.reportable) {
      acc.excluded.push(e);
      continue;
    }
    const s = active.find((x) => sameParty(x.agency, e.recipientName) && e.date >= x.startsOn);
    if (s) acc.withheld.push({ entry: e, suspension: s });
    else acc.entries.push(e);
  }
  return acc;
}

/** `date` minus six years: the same calendar day; Feb 29 becomes Mar 1 when the earlier year has none. */
export function sixYearsBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const candidate = `${String(y - 6).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  // A date that does not exist six years earlier (Feb 29) moves to the next day.
  return /-02-29$/.test(candidate) && !isLeap(y - 6) ? addDays(`${y - 6}-02-28`, 1) : candidate;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function sameParty(a: string, b: string): boolean {
  const n = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return n(a) === n(b);
}

/** Longest suspension on an oral statement, in calendar days (164.528(a)(2)(ii)). */
export const ORAL_SUSPENSION_MAX_DAYS = 30;
