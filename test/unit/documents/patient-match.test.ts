/**
 * The patient check: table-driven over text (the matcher alone) and over PDFs the tests make (pdf-lib text pages,
 * an image-only "scan" page, and the Ghostscript-made fixture), read back by PDF.js as in the app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { findDates, matchPatient, type PatientIdentifiers } from '../../../src/main/services/documents/patient-match';
import { extractPageTexts, renderPagePng } from '../../../src/main/services/documents/pdf-text';

const P: PatientIdentifiers = { name: 'Zyxwv Quilla Testpatient', dateOfBirth: '1961-07-14', mrn: 'MRN-58213-QX' };
const ACCENTED: PatientIdentifiers = { name: 'Zoë Ångström-Núñez', dateOfBirth: '1984-03-09', mrn: '004417' };

describe('matchPatient over page text', () => {
  const cases: Array<{ name: string; patient?: PatientIdentifiers; pages: string[]; outcome: string; extra?: Record<string, unknown> }> = [
    { name: 'name, DOB and MRN as on a chart header', pages: ['Patient: Zyxwv Q. Testpatient  DOB: 07/14/1961  MRN: MRN-58213-QX\nVisit note'], outcome: 'match', extra: { nameFound: true, dobFound: true, mrnFound: true } },
    { name: 'family name first, upper case, comma', pages: ['TESTPATIENT, ZYXWV   Date of birth: July 14, 1961'], outcome: 'match', extra: { dobFound: true } },
    { name: 'given and family only (no middle name)', pages: ['Visit for Zyxwv Testpatient on 2025-06-01.'], outcome: 'match', extra: { nameFound: true, dobFound: false } },
    { name: 'MRN only, written without punctuation', pages: ['Chart # mrn58213qx\nLab results'], outcome: 'match', extra: { mrnFound: true, nameFound: false } },
    { name: 'two-digit year DOB', pages: ['Zyxwv Testpatient DOB 7/14/61'], outcome: 'match', extra: { dobFound: true } },
    {
      name: 'accents stripped in the document',
      patient: ACCENTED,
      pages: ['Patient name: Zoe Angstrom-Nunez  DOB: 03/09/1984  MRN: 004417'],
      outcome: 'match',
      extra: { nameFound: true, dobFound: true, mrnFound: true },
    },
    { name: 'accents decomposed (NFD) in the document', patient: ACCENTED, pages: ['Patient: Zoe\u0308 A\u030Angstro\u0308m-Nu\u0301n\u0303ez'], outcome: 'match' },
    { name: 'another MRN', pages: ['Patient: Zyxwv Testpatient  MRN: MRN-77341-AB'], outcome: 'mismatch', extra: { otherMrns: 1, conflictPages: [1] } },
    { name: 'another date of birth', pages: ['Patient: Zyxwv Testpatient  DOB: 1971-02-03'], outcome: 'mismatch', extra: { otherDobs: 1 } },
    {
      name: 'different patient with the same surname',
      pages: ['Patient: Abcde Testpatient  DOB: 02/03/1990  MRN: MRN-11111-ZZ'],
      outcome: 'mismatch',
      extra: { otherNames: 1, otherDobs: 1, otherMrns: 1, nameFound: false },
    },
    { name: 'different first name only (no MRN/DOB)', pages: ['Patient: Abcde Testpatient\nVisit note, no complaints.'], outcome: 'name_differs', extra: { otherNames: 1 } },
    { name: 'only page 3 of 3 is another patient', pages: ['Patient: Zyxwv Testpatient MRN: MRN-58213-QX', 'Continued notes for the visit.', 'Patient: Qwfp Other MRN: 99887766'], outcome: 'mismatch', extra: { conflictPages: [3] } },
    { name: 'no identifiers at all', pages: ['Laboratory results. CBC within normal limits. Reviewed 2025-06-01.'], outcome: 'not_found' },
    { name: 'visit dates are not taken for a date of birth', pages: ['Zyxwv Testpatient seen 2025-06-01, follow-up 06/15/2025.'], outcome: 'match', extra: { otherDobs: 0 } },
    { name: 'a page without text (scan)', pages: [''], outcome: 'no_text', extra: { pagesWithoutText: 1 } },
    { name: 'scan page plus a matching text page', pages: ['', 'Zyxwv Testpatient MRN 58213QX'], outcome: 'match', extra: { pagesWithoutText: 1 } },
    { name: 'the DOB alone is not enough to say it is this patient', pages: ['Born 1961-07-14. Immunization record.'], outcome: 'not_found', extra: { dobFound: true } },
  ];
  it.each(cases)('$name → $outcome', ({ patient, pages, outcome, extra }) => {
    const r = matchPatient(pages, patient ?? P, 2026);
    expect(r.outcome).toBe(outcome);
    if (extra) expect(r).toMatchObject(extra);
  });

  it('the result carries no identifier values (PHI-free)', () => {
    const r = matchPatient(['Patient: Abcde Testpatient  DOB: 02/03/1990  MRN: MRN-11111-ZZ'], P, 2026);
    expect(JSON.stringify(r)).not.toMatch(/Abcde|Testpatient|1990|11111|58213/);
  });

  it.each([
    ['1961-07-14', '1961-07-14'],
    ['07/14/1961', '1961-07-14'],
    ['7-14-1961', '1961-07-14'],
    ['07.14.1961', '1961-07-14'],
    ['Jul 14, 1961', '1961-07-14'],
    ['14 July 1961', '1961-07-14'],
    ['September 3rd, 2001', '2001-09-03'],
    ['3/9/21', '2021-03-09'],
    ['3/9/45', '1945-03-09'],
  ])('reads the date %s as %s', (text, iso) => {
    expect(findDates(text, 2026).map((d) => d.iso)).toEqual([iso]);
  });

  it('impossible dates are not dates', () => {
    expect(findDates('02/30/1990 13/01/1990 1990-02-29', 2026)).toEqual([]);
  });
});

async function pdfWithPages(pages: Array<string[] | 'image'>): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const png = await doc.embedPng(
    // 1x1 grey pixel: a page that is only an image, like a scan without OCR
    Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==', 'base64'),
  );
  for (const lines of pages) {
    const page = doc.addPage([612, 792]);
    if (lines === 'image') page.drawImage(png, { x: 50, y: 50, width: 500, height: 690 });
    else lines.forEach((l, i) => page.drawText(l, { x: 72, y: 720 - i * 18, size: 12, font }));
  }
  return Buffer.from(await doc.save());
}

describe('the patient check over real PDFs (PDF.js text extraction)', () => {
  const cases: Array<{ name: string; pages: Array<string[] | 'image'>; outcome: string; patient?: PatientIdentifiers }> = [
    { name: 'this patient, another order and case, middle initial', pages: [['SYNTHETIC CLINIC', 'TESTPATIENT, ZYXWV Q.   DOB 07/14/1961', 'Visit note']], outcome: 'match' },
    { name: 'accents stripped (WinAnsi text)', patient: ACCENTED, pages: [['Patient: Zoe Angstrom-Nunez', 'D.O.B. Mar 9, 1984']], outcome: 'match' },
    { name: 'accented name in the PDF', patient: { ...ACCENTED, name: 'Zoe Angstrom-Nunez' }, pages: [['Patient: Zoë Ångström-Núñez', 'DOB 03/09/1984']], outcome: 'match' },
    { name: "another patient's MRN on page 2", pages: [['Patient: Zyxwv Testpatient  MRN: MRN-58213-QX'], ['Patient: Zyxwv Testpatient  MRN: MRN-90210-ZZ']], outcome: 'mismatch' },
    { name: 'different patient, same surname', pages: [['Patient: Abcde Testpatient', 'DOB: 1990-02-03']], outcome: 'mismatch' },
    { name: 'no identifiers', pages: [['Laboratory results', 'CBC within normal limits.']], outcome: 'not_found' },
    { name: 'a scanned page without a text layer', pages: ['image'], outcome: 'no_text' },
  ];
  it.each(cases)('$name → $outcome', async ({ pages, outcome, patient }) => {
    const texts = await extractPageTexts(await pdfWithPages(pages));
    expect(texts).toHaveLength(pages.length);
    expect(matchPatient(texts, patient ?? P, 2026).outcome).toBe(outcome);
  });

  it('the Ghostscript-made fixture names its own patient and not ours', async () => {
    const texts = await extractPageTexts(readFileSync(join(__dirname, '../../fixtures/synthetic-record.pdf')));
    expect(texts).toHaveLength(3);
    expect(matchPatient(texts, { name: 'Zyxwv Testpatient', dateOfBirth: '1970-01-02', mrn: 'MRN-TEST-1' }, 2026)).toMatchObject({ outcome: 'match', nameFound: true, dobFound: true, mrnFound: true });
    expect(matchPatient(texts, P, 2026)).toMatchObject({ outcome: 'mismatch', otherMrns: 3, otherDobs: 3, conflictPages: [1, 2, 3] });
  });

  it('renders a page to a bounded PNG in memory', async () => {
    const r = await renderPagePng(await pdfWithPages([['Page one'], ['Page two']]), 2, 5000);
    expect(r.png.subarray(1, 4).toString()).toBe('PNG');
    expect(r).toMatchObject({ width: 1000, height: 1295, pageCount: 2 });
    await expect(renderPagePng(await pdfWithPages([['x']]), 3, 200)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
