import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { accountingOf, accountingRuleFor, disclosureEntries, disclosureStatus, sixYearsBefore } from '../../../src/main/services/audit/accounting';
import { insertManualDisclosure, insertSuspension, manualDisclosures, suspensionsOf, transmissionDisclosures } from '../../../src/main/services/audit/disclosures-repo';
import { migrate } from '../../../src/main/services/vault/migrations';
import { PATIENT, seedTransmission } from './fixtures';

const utcDate = (iso: string) => iso.slice(0, 10);

function db() {
  const d = new Database(':memory:');
  migrate(d);
  return d;
}

function manual(d: Database.Database, disclosedOn: string, category: 'public_health' | 'legal_process', recipientName: string) {
  insertManualDisclosure(d, {
    patientName: PATIENT.name, patientDob: PATIENT.dob, patientMrn: PATIENT.mrn, disclosedOn, recipientName, recipientAddress: null,
    description: 'Immunization record', purpose: category === 'public_health' ? 'Mandatory report' : 'Subpoena answered on paper', category,
    enteredBy: 'Pat Privacy', enteredAt: `${disclosedOn}T12:00:00Z`,
  });
}

describe('accounting of disclosures (45 CFR 164.528)', () => {
  it('over seven years of one patient lists exactly the reportable disclosures inside the six-year window', () => {
    const d = db();
    // Excluded by 164.528(a)(1):
    seedTransmission(d, { basis: 'right_of_access', at: '2025-03-01T15:00:00Z', parts: ['sent'], recipientName: PATIENT.name }); // (a)(1)(ii)
    seedTransmission(d, { basis: 'patient_directed', at: '2024-06-01T15:00:00Z', parts: ['sent'], recipientName: 'Lawyer Office' }); // (a)(1)(ii)
    seedTransmission(d, { basis: 'authorization', at: '2023-05-01T15:00:00Z', parts: ['sent'], recipientName: 'Acme Life' }); // (a)(1)(iv)
    seedTransmission(d, { basis: 'tpo', at: '2022-02-01T15:00:00Z', method: 'print', recipientName: 'Cardiology Group' }); // (a)(1)(i)
    // Reportable:
    const inWindowLaw = seedTransmission(d, { basis: 'required_by_law', at: '2021-09-10T15:00:00Z', parts: ['sent', 'sent'], recipientName: 'State Registry', recipientEmail: 'registry@example.test' });
    seedTransmission(d, { basis: 'hhs', at: '2024-01-15T15:00:00Z', method: 'export', recipientName: 'HHS Office for Civil Rights' });
    manual(d, '2020-11-30', 'public_health', 'County Health Department'); // inside (window starts 2020-11-15)
    manual(d, '2023-08-08', 'legal_process', 'Superior Court Clerk');
    // Reportable but older than six years before 2026-11-15:
    seedTransmission(d, { basis: 'required_by_law', at: '2020-11-14T15:00:00Z', parts: ['sent'], recipientName: 'Too Old Registry' });
    manual(d, '2019-12-01', 'public_health', 'County Health Department');
    // Not a disclosure: nothing left the practice.
    seedTransmission(d, { basis: 'required_by_law', at: '2025-01-01T15:00:00Z', parts: ['failed', 'pending'], recipientName: 'Never Reached' });
    // Another patient's reportable disclosure stays out.
    seedTransmission(d, { basis: 'required_by_law', at: '2025-01-01T15:00:00Z', parts: ['sent'], patient: { name: 'Other Person', dob: '1980-02-02', mrn: 'MRN-OTHER' } });

    const entries = disclosureEntries(transmissionDisclosures(d, PATIENT.mrn), manualDisclosures(d, PATIENT.mrn), utcDate);
    const acc = accountingOf(entries, [], '2026-11-15');
    expect(acc.from).toBe('2020-11-15');
    expect(acc.entries.map((e) => [e.date, e.recipientName, e.rule.citation])).toEqual([
      ['2020-11-30', 'County Health Department', '45 CFR 164.528(a); 45 CFR 164.512(b)'],
      ['2021-09-10', 'State Registry', '45 CFR 164.528(a); 164.512(a)'],
      ['2023-08-08', 'Superior Court Clerk', '45 CFR 164.528(a); 45 CFR 164.512(e)'],
      ['2024-01-15', 'HHS Office for Civil Rights', '45 CFR 164.528(a); 164.502(a)(2)(ii)'],
    ]);
    const law = acc.entries.find((e) => e.reference === inWindowLaw)!;
    expect(law.recipientAddress).toBe('registry@example.test');
    expect(law.description).toBe('Lab results dated 2019-01-01 to now (1 document, 3 pages)');
    expect(law.purpose).toMatch(/^Disclosure required by law \(45 CFR 164\.512\(a\)\), at the written request from Requesting Office\. A copy of the written request \(Q-2021-/);
    expect(acc.excluded.map((e) => e.rule.citation).sort()).toEqual([
      '45 CFR 164.528(a)(1)(i)',
      '45 CFR 164.528(a)(1)(ii)',
      '45 CFR 164.528(a)(1)(ii); 164.524(c)(3)(ii)',
      '45 CFR 164.528(a)(1)(iv)',
    ]);
  });

  it('withholds disclosures to a health oversight agency while its suspension lasts (164.528(a)(2))', () => {
    const d = db();
    seedTransmission(d, { basis: 'required_by_law', at: '2026-02-01T15:00:00Z', parts: ['sent'], recipientName: 'State Medicaid Fraud Unit' });
    seedTransmission(d, { basis: 'required_by_law', at: '2026-02-02T15:00:00Z', parts: ['sent'], recipientName: 'County Health Department' });
    insertSuspension(d, { patientMrn: PATIENT.mrn, agency: 'State Medicaid Fraud Unit', agencyKind: 'health_oversight', statement: 'written', startsOn: '2026-01-15', endsOn: '2026-06-30', enteredBy: 'Pat Privacy', enteredAt: '2026-01-15T12:00:00Z' });
    const entries = disclosureEntries(transmissionDisclosures(d, PATIENT.mrn), [], utcDate);
    const during = accountingOf(entries, suspensionsOf(d, PATIENT.mrn), '2026-03-01');
    expect(during.entries.map((e) => e.recipientName)).toEqual(['County Health Department']);
    expect(during.withheld.map((w) => w.entry.recipientName)).toEqual(['State Medicaid Fraud Unit']);
    const after = accountingOf(entries, suspensionsOf(d, PATIENT.mrn), '2026-07-01');
    expect(after.entries.map((e) => e.recipientName)).toEqual(['State Medicaid Fraud Unit', 'County Health Department']);
  });

  it('treats bounced and unconfirmed parts as disclosures (flagged), failed and pending ones not', () => {
    const s = (partStatuses: Record<string, number>, method = 'password-pdf') => disclosureStatus({ method, partStatuses, partsSent: 0 });
    expect(s({ unconfirmed: 1, failed: 1 })).toEqual({ disclosed: true, unconfirmed: true, bounced: false });
    expect(s({ bounced: 1 })).toEqual({ disclosed: true, unconfirmed: false, bounced: true });
    expect(s({ failed: 2, pending: 1 }).disclosed).toBe(false);
    expect(s({ queued: 1, sending: 1, cancelled: 1 }).disclosed).toBe(false);
    expect(s({}, 'export').disclosed).toBe(true);
    expect(s({}, 'print').disclosed).toBe(true);
  });

  it('cites 164.528(a)(1) for every excluded basis and includes an unrecorded basis to be safe', () => {
    expect(accountingRuleFor('tpo')).toMatchObject({ reportable: false, citation: '45 CFR 164.528(a)(1)(i)' });
    expect(accountingRuleFor('right_of_access')).toMatchObject({ reportable: false, citation: '45 CFR 164.528(a)(1)(ii)' });
    expect(accountingRuleFor('authorization')).toMatchObject({ reportable: false, citation: '45 CFR 164.528(a)(1)(iv)' });
    expect(accountingRuleFor(null)).toMatchObject({ reportable: true });
  });

  it('counts six years back by calendar date, Feb 29 included', () => {
    expect(sixYearsBefore('2026-11-15')).toBe('2020-11-15');
    expect(sixYearsBefore('2028-02-29')).toBe('2022-03-01');
    expect(sixYearsBefore('2030-02-28')).toBe('2024-02-28');
  });
});
