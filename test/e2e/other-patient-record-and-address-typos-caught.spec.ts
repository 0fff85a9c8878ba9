/**
 * The right patient before PHI leaves: a record file naming another patient (other MRN and date of birth) is
 * flagged on the Records step with a plain explanation, its pages can be looked at (rendered in main), and the
 * release goes on once staff remove it; a flagged file kept with a reasoned confirmation shows who confirmed it.
 */
import { readFileSync } from 'node:fs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { chooseRecipientWithoutKey, expect, expectNoAxeViolations, FIXTURE_PDF, recordRequest, shot, test, verifyAndMarkReady } from './fixtures';

/** A synthetic two-page record of ANOTHER patient: same surname, other MRN and date of birth. */
async function otherPatientPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const [i, line] of ['Patient: Abcde Testpatient   DOB: 02/03/1990   MRN: MRN-OTHER-77', 'Continued notes for Abcde Testpatient'].entries()) {
    const p = doc.addPage([612, 792]);
    p.drawText('Lakeside Test Clinic - SYNTHETIC RECORD', { x: 72, y: 720, size: 16, font });
    p.drawText(line, { x: 72, y: 690, size: 12, font });
    p.drawText(`Page ${i + 1} of 2 - invented data for software tests`, { x: 72, y: 60, size: 10, font });
  }
  return Buffer.from(await doc.save());
}

async function classify(page: import('@playwright/test').Page, name: string) {
  await page.getByLabel(`Category of ${name}`).selectOption('visit_notes');
  const date = page.getByLabel(`Date of service of ${name}`);
  await date.fill('2025-06-01');
  await date.blur();
}

test("another patient's record is flagged, can be looked at, and the release goes on once it is removed", async ({ page, app }) => {
  test.setTimeout(300_000); // setup, two imports, page images rendered in main on a shared machine
  await app.open({ smtp: false });
  await recordRequest(page);
  await verifyAndMarkReady(page);
  await page.getByRole('button', { name: 'Start release' }).click();
  await expect(page.getByRole('heading', { name: /^Release R-/ })).toBeVisible();

  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Add PDF files' }).click();
  await (await chooser).setFiles([{ name: 'synthetic-record.pdf', mimeType: 'application/pdf', buffer: readFileSync(FIXTURE_PDF) }, { name: 'scan-0412.pdf', mimeType: 'application/pdf', buffer: await otherPatientPdf() }]);
  const docs = page.getByRole('table', { name: 'Documents in this release' });
  await expect(docs.getByRole('cell', { name: 'scan-0412.pdf', exact: true })).toBeVisible();
  await classify(page, 'synthetic-record.pdf');
  await classify(page, 'scan-0412.pdf');

  // The check: the fixture names this patient; the other file shows another MRN and date of birth on page 1.
  await expect(page.getByTestId('patient-check-record-1.pdf')).toHaveAttribute('data-outcome', 'match', { timeout: 30_000 });
  await expect(page.getByTestId('patient-check-record-1.pdf')).toContainText('Names this patient');
  const other = page.getByTestId('patient-check-record-2.pdf');
  await expect(other).toHaveAttribute('data-outcome', 'mismatch');
  const alert = page.getByRole('alert').filter({ hasText: 'another patient’s record' });
  await expect(alert).toContainText('1 file may be another patient’s record');
  await expect(alert).toContainText('Shows another medical record number, another date of birth, another patient name on page 1.');
  await expect(alert).toContainText('The release cannot be sent until you do.');
  await shot(page, 'patient-check-01-flagged');
  await expectNoAxeViolations(page, 'records: patient check flagged');

  // Look at the pages: thumbnails rendered in main, page 1 marked.
  await page.getByRole('button', { name: 'Look at the pages of record-2' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pages of record-2' });
  await expect(dialog.getByRole('img', { name: 'record-2, page 1' })).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByRole('img', { name: 'record-2, page 2' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Open page 1 (flagged)' })).toBeVisible();
  await shot(page, 'patient-check-02-thumbnails');
  await expectNoAxeViolations(page, 'records: page preview');
  await dialog.getByRole('button', { name: 'Open page 1 (flagged)' }).click();
  await expect(dialog.getByText('Page 1 of 2')).toBeVisible();
  await expect(dialog.getByRole('img', { name: 'record-2, page 1' })).toBeVisible({ timeout: 30_000 });
  await shot(page, 'patient-check-03-page-large');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Staff remove it: the flag goes, the release goes on to the recipient.
  await page.getByRole('button', { name: 'Remove scan-0412.pdf' }).click();
  await expect(docs.getByRole('cell', { name: 'scan-0412.pdf', exact: true })).toBeHidden();
  await expect(alert).toBeHidden();
  await expect(page.getByTestId('patient-check-record-1.pdf')).toHaveAttribute('data-outcome', 'match');
  await page.getByRole('button', { name: 'Next: recipient' }).click();
  await expect(page.locator('#recipient-email')).toBeVisible();
});

test('a flagged file kept on purpose needs a reason, and shows who confirmed it', async ({ page, app }) => {
  test.setTimeout(300_000); // through Review and back, then the audit log, on a shared machine
  await app.open({ smtp: false });
  await recordRequest(page);
  await verifyAndMarkReady(page);
  await page.getByRole('button', { name: 'Start release' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Add PDF files' }).click();
  await (await chooser).setFiles([{ name: 'scan-0412.pdf', mimeType: 'application/pdf', buffer: await otherPatientPdf() }]);
  const other = page.getByTestId('patient-check-record-1.pdf');
  await expect(other).toHaveAttribute('data-outcome', 'mismatch', { timeout: 30_000 });
  await classify(page, 'scan-0412.pdf');

  // Until it is confirmed, the Review step blocks the send and names the file.
  await page.getByRole('button', { name: 'Next: recipient' }).click();
  await chooseRecipientWithoutKey(page, 'qwfp.recipient@example.test');
  const findings = page.getByRole('list', { name: 'Compliance findings' });
  await expect(findings).toContainText("it may be another patient's record");
  await expect(page.getByRole('button', { name: 'Send password-protected PDF' })).toBeDisabled();
  await shot(page, 'patient-check-03b-review-blocked');
  await page.getByRole('button', { name: 'the selected records' }).click();

  await expect(other).toHaveAttribute('data-outcome', 'mismatch');
  await other.getByRole('button', { name: 'Confirm it belongs here…' }).click();
  const reason = other.getByLabel('Why record-1 belongs in this release');
  await reason.fill('short');
  await expect(other.getByText('At least 10 characters.')).toBeVisible();
  await expect(other.getByRole('button', { name: 'Record confirmation' })).toBeDisabled();
  await reason.fill('Registered under her maiden name; checked with the patient by phone');
  await other.getByRole('button', { name: 'Record confirmation' }).click();
  await expect(other).toContainText('Confirmed by staff');
  await expect(other).toContainText('Confirmed by Jordan Frontdesk');
  await expect(page.getByRole('alert').filter({ hasText: 'another patient’s record' })).toBeHidden();
  await shot(page, 'patient-check-04-confirmed');

  // Confirmed with a reason: the send is no longer blocked by it, and the audit log shows who confirmed it.
  await page.getByRole('button', { name: 'Next: recipient' }).click();
  await page.getByRole('button', { name: 'Next: delivery' }).click();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('button', { name: 'Send password-protected PDF' })).toBeEnabled();
  await expect(page.getByText("it may be another patient's record")).toHaveCount(0);
  await page.getByRole('button', { name: 'Audit log', exact: true }).click();
  await page.getByRole('tab', { name: 'Events' }).click();
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(events).toContainText(/Jordan Frontdesk confirmed that a record file flagged as another patient’s belongs in release R-\d{4}-\d{5}/);
  await expect(events).not.toContainText('document.patient_confirm');
  await shot(page, 'patient-check-06-audit');
});

test("the request's email address is typed twice and checked for typos at intake", async ({ page, app }) => {
  await app.open({ smtp: false });
  await page.getByRole('button', { name: 'New request' }).click();
  await page.locator('#patient-name').fill('Zyxwv Testpatient');
  await page.locator('#patient-dob').fill('1970-01-02');
  await page.locator('#patient-mrn').fill('MRN-TEST-1');
  await page.locator('#requester-name').fill('Zyxwv Testpatient');
  await page.locator('#recipient-0-name').fill('Zyxwv Testpatient');
  await page.locator('#recipient-0-destination').fill('zyxwv.testpatient@gmial.com');
  await page.locator('#recipient-0-destination').blur();
  await expect(page.getByText('Did you mean')).toContainText('zyxwv.testpatient@gmail.com');
  await page.locator('#recipient-0-destination-confirm').fill('zyxwv.testpatient@gmial.co');
  await expect(page.getByText('The two entries differ.')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Visit notes', exact: true }).check();
  await page.getByRole('button', { name: 'Record request' }).click();
  await expect(page.getByRole('heading', { name: 'New request' })).toBeVisible(); // not recorded
  await shot(page, 'patient-check-05-intake-typo');
  await expectNoAxeViolations(page, 'intake: email typed twice');
  await page.getByRole('button', { name: 'Use zyxwv.testpatient@gmail.com' }).click();
  await expect(page.locator('#recipient-0-destination')).toHaveValue('zyxwv.testpatient@gmail.com');
  await expect(page.locator('#recipient-0-destination-confirm')).toHaveValue(''); // never prefilled
  await page.locator('#recipient-0-destination-confirm').fill('zyxwv.testpatient@gmail.com');
  await page.getByRole('button', { name: 'Record request' }).click();
  await expect(page.getByRole('heading', { name: /^Request Q-/ })).toBeVisible();
});
