/** PDFs: text extracted with poppler's pdftotext must contain every required element; one page rendered with pdftoppm. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  renderAuthorizationForm,
  STATEMENT_CONDITIONING,
  STATEMENT_COPY,
  STATEMENT_REDISCLOSURE,
  STATEMENT_RIGHT_TO_REVOKE,
} from '../../../src/main/services/compliance/documents/authorization-form';
import { renderExtensionNotice } from '../../../src/main/services/compliance/documents/extension-notice';
import { renderPart2ConsentScope } from '../../../src/main/services/compliance/documents/part2-consent-scope';
import { requireTool } from '../../support/tools';

const dir = mkdtempSync(join(tmpdir(), 'rd-compliance-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasPoppler = requireTool('pdftotext') && requireTool('pdftoppm');
const practice = { name: 'Maplewood Family Practice', address: '12 Elm St, Springfield', phone: '555-0100' };
const flat = (s: string) => s.replace(/\s+/g, ' ');

function extract(bytes: Uint8Array, name: string): string {
  const f = join(dir, `${name}.pdf`);
  writeFileSync(f, bytes);
  return flat(execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }));
}
function renderFirstPage(name: string): Buffer {
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', join(dir, `${name}.pdf`), join(dir, name)]);
  return readFileSync(join(dir, `${name}.png`));
}

describe.skipIf(!hasPoppler)('extension notice PDF (45 CFR 164.524(b)(2)(ii))', () => {
  it('states the reason, the new date, the receipt date and the addressee (any script), with page numbers', async () => {
    const text = extract(
      await renderExtensionNotice({ practice, addresseeName: 'Zyxwv Testpatient Ωμέγα Жуков', receivedDate: '2026-03-01', noticeDate: '2026-03-20', reason: 'Part of the record is in off-site storage.', newDueDate: '2026-04-30' }),
      'ext',
    );
    for (const s of ['Maplewood Family Practice', 'Zyxwv Testpatient Ωμέγα Жуков', 'Part of the record is in off-site storage.', 'no later than April 30, 2026', 'March 1, 2026', 'March 20, 2026', 'Page 1 of 1'])
      expect(text).toContain(s);
    const png = renderFirstPage('ext');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(5000);
  });
  it('refuses an empty reason', async () => {
    await expect(renderExtensionNotice({ practice, addresseeName: 'X', receivedDate: '2026-03-01', noticeDate: '2026-03-02', reason: ' ', newDueDate: '2026-04-01' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe.skipIf(!hasPoppler)('authorization form PDF (45 CFR 164.508(c))', () => {
  const required = [
    ['(c)(1)(i) description', 'Information to be disclosed'],
    ['(c)(1)(ii) who may disclose', 'Who may disclose the information'],
    ['(c)(1)(iii) who may receive', 'Who may receive the information'],
    ['(c)(1)(iv) purpose', 'Purpose of the disclosure'],
    ['(c)(1)(v) expiration', 'Expiration date'],
    ['(c)(1)(v) expiration event', 'expiration event'],
    ['(c)(1)(vi) signature', 'Signature of patient or personal representative'],
    ['(c)(1)(vi) date', 'Date'],
    ['(c)(1)(vi) representative authority', 'your authority to act for the patient'],
    ['(c)(2)(i)', STATEMENT_RIGHT_TO_REVOKE],
    ['(c)(2)(ii)', STATEMENT_CONDITIONING],
    ['(c)(2)(iii)', STATEMENT_REDISCLOSURE],
    ['(c)(4)', STATEMENT_COPY],
    ['page numbers', 'Page 1 of'],
  ] as const;

  it('blank form holds every core element and required statement', async () => {
    const text = extract(await renderAuthorizationForm({ practice }), 'form');
    for (const [, s] of required) expect(text).toContain(flat(s));
    expect(text).toContain('Psychotherapy notes are not covered by this form');
    expect(text).toContain('42 CFR Part 2');
    const png = renderFirstPage('form');
    expect(png.length).toBeGreaterThan(5000);
  });

  it('prefilled form shows the filled values; the psychotherapy variant covers those notes only', async () => {
    const text = extract(
      await renderAuthorizationForm({ practice, patientName: 'Zyxwv Testpatient', informationDescription: 'Lab results 2025', categories: ['lab_results'], recipients: ['Qwerty Insurance Co'], purposes: ['At the request of the individual'], expirationDate: '2026-12-31' }),
      'filled',
    );
    for (const s of ['Zyxwv Testpatient', 'Lab results 2025', 'Qwerty Insurance Co', 'At the request of the individual', '2026-12-31']) expect(text).toContain(s);
    const psych = extract(await renderAuthorizationForm({ practice, psychotherapyNotesOnly: true }), 'psych');
    expect(psych).toContain('Authorization to disclose psychotherapy notes');
    expect(psych).not.toContain('Lab results');
    for (const [, s] of required) expect(psych).toContain(flat(s));
  });
});

describe.skipIf(!hasPoppler)('Part 2 consent scope sheet (42 CFR 2.32(b))', () => {
  const now = new Date('2026-03-05T12:00:00-05:00');
  const consent = {
    id: 'p2c_000001',
    patientNamed: true,
    discloser: 'Maplewood Family Practice',
    informationDescription: 'Substance use disorder treatment records, 2025, including diagnosis and medications',
    categories: ['substance_use_disorder' as const],
    recipients: ['Qwerty Insurance Co'],
    purpose: 'Life insurance application',
    revocationStatement: true,
    expiration: { date: '2026-12-31' },
    signature: { signed: true, date: '2026-02-20' },
  };
  it('explains every element of the consent and carries the 2.32(a) notice', async () => {
    const bytes = await renderPart2ConsentScope({ practice, consent, releaseReference: 'R-2026-00012', now, timeZone: 'America/New_York' });
    const text = extract(bytes, 'p2scope');
    for (const s of ['Scope of the patient’s consent', 'R-2026-00012', 'Maplewood Family Practice', 'including diagnosis and medications', 'Qwerty Insurance Co', 'Life insurance application', 'through 2026-12-31', '2026-02-20', '42 CFR 2.31(a)(6)', '42 CFR 2.32(a)', 'A general authorization for the release of medical or other information is NOT sufficient', 'Page 1 of'])
      expect(text).toContain(s);
    expect(renderFirstPage('p2scope').length).toBeGreaterThan(1000);
  });
  it('refuses a revoked consent (42 CFR 2.31(a)(6))', async () => {
    await expect(
      renderPart2ConsentScope({ practice, consent: { ...consent, revocation: { receivedDate: '2026-03-04', method: 'written' as const } }, releaseReference: 'R-2026-00012', now, timeZone: 'America/New_York' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe.skipIf(!hasPoppler)('practice details printed where the law expects them', () => {
  const full = {
    name: 'Maplewood Family Practice',
    address: '12 Elm St, Springfield, IL 62701',
    phone: '(217) 555-0100',
    privacyOfficer: { name: 'Qwfp Privacyofficer', phone: '(217) 555-0142', email: 'privacy@maplewood.example.test' },
  };

  it("the authorization form's revocation paragraph names the privacy officer, the postal address and phone (164.508(c)(2)(i))", async () => {
    const text = extract(await renderAuthorizationForm({ practice: full }), 'form-practice');
    expect(text).toContain('by writing to us at the address below');
    expect(text).toContain(
      'Send a written revocation to: Qwfp Privacyofficer, Privacy Officer, Maplewood Family Practice, 12 Elm St, Springfield, IL 62701. Phone: (217) 555-0142. Email: privacy@maplewood.example.test.',
    );
    expect(renderFirstPage('form-practice').length).toBeGreaterThan(1000);
  });

  it('without a recorded address the form says to ask for it instead of pointing at an address that is not there', async () => {
    const text = extract(await renderAuthorizationForm({ practice: { name: 'Maplewood Family Practice' } }), 'form-bare');
    expect(text).toContain('Send a written revocation to: Privacy Officer, Maplewood Family Practice, (ask us for our mailing address).');
    expect(text).not.toContain('address above');
  });

  it('the extension notice names the privacy officer with phone and email, and prints the address and phone', async () => {
    const text = extract(
      await renderExtensionNotice({ practice: full, addresseeName: 'Zyxwv Testpatient', receivedDate: '2026-03-01', noticeDate: '2026-03-20', reason: 'Records in off-site storage.', newDueDate: '2026-04-30' }),
      'notice-practice',
    );
    expect(text).toContain('12 Elm St, Springfield, IL 62701');
    expect(text).toContain('(217) 555-0100');
    expect(text).toContain('contact our privacy officer, Qwfp Privacyofficer, at (217) 555-0142 or privacy@maplewood.example.test.');
    expect(renderFirstPage('notice-practice').length).toBeGreaterThan(1000);
  });
});
