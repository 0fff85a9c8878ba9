/**
 * The privacy officer's audit, end to end in Chromium through the real test host: after a real release
 * (password-protected PDF over STARTTLS), the Audit screen shows plain-language events with the patient,
 * filters them, exports the audit report, records a disclosure made outside ReleaseDesk, and exports the
 * accounting of disclosures for the patient — the real release listed as not reportable (164.528(a)(1)(ii)),
 * the public-health report listed. The PDFs are checked with pdftotext; no horizontal scroll at 1280 px; axe.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chooseRecipientWithoutKey, expect, expectNoAxeViolations, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';
import { requireTool } from '../support/tools';

const RECIPIENT = 'qwfp.recipient@example.test';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

test('the privacy officer filters the audit log, exports the audit report and a patient’s accounting of disclosures', async ({ page, app }) => {
  test.setTimeout(300_000);
  test.info().skip(!requireTool('pdftotext') || !requireTool('openssl'), 'pdftotext (poppler) and openssl are required');
  const { smtp, exportDir } = await app.open({ exportDir: true });

  // 1. A real release: right-of-access request → password-protected PDF by email.
  await recordRequest(page, { recipientDestination: RECIPIENT });
  await verifyAndMarkReady(page);
  await startReleaseWithFixture(page);
  await chooseRecipientWithoutKey(page, RECIPIENT);
  await page.getByRole('button', { name: 'Send password-protected PDF' }).click();
  const panel = page.getByTestId('one-time-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await panel.getByRole('checkbox', { name: /gave the passphrase to the recipient/ }).check();
  await panel.getByRole('button', { name: 'Done' }).click();
  expect(smtp.received).toHaveLength(1);

  // 2. The Audit screen: plain-language events with the patient, never raw codes; no sideways scroll at 1280 px.
  await page.getByRole('button', { name: 'Audit log', exact: true }).click();
  await page.getByRole('tab', { name: 'Events' }).click();
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(events).toContainText(/Jordan Frontdesk sent release R-\d{4}-\d{5} to Qwfp Recipient by password-protected PDF/);
  await expect(events).toContainText('Zyxwv Testpatient');
  await expect(events).not.toContainText('request.view');
  await expect(events).not.toContainText('release.send');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, 'audit-01-events');
  await expectNoAxeViolations(page, 'audit events');

  // 3. Filter: disclosures only, for this patient.
  await page.getByRole('combobox', { name: 'Kind of action' }).click();
  await page.getByRole('option', { name: 'Sent, exported or printed' }).click();
  await page.getByLabel('Patient (name or MRN)').fill('MRN-TEST-1');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText(/^\d+ events? match/)).toBeVisible();
  const rows = events.getByRole('row');
  await expect(rows.filter({ hasText: 'sent release' }).first()).toBeVisible();
  // Retried until the filtered rows replaced the unfiltered ones: no event row outside releases and packets remains.
  await expect(rows.filter({ hasNotText: /What happened|release|packet/ })).toHaveCount(0);
  for (const t of await rows.allInnerTexts()) if (!/What happened/.test(t)) expect(t).toMatch(/release|packet/);
  await shot(page, 'audit-02-filtered');

  // 4. Export the audit report of the filtered log.
  await page.getByRole('button', { name: 'Export audit report (PDF and CSV)' }).click();
  await expect(page.getByText('Audit report saved')).toBeVisible({ timeout: 60_000 });
  let files = filesUnder(exportDir);
  const reportPdf = files.find((f) => /audit-report-.*\.pdf$/.test(f))!;
  expect(files.filter((f) => f.startsWith(reportPdf.replace(/\.pdf$/, '')))).toHaveLength(4);
  const reportText = execFileSync('pdftotext', ['-layout', join(exportDir, reportPdf), '-']).toString('utf8');
  expect(reportText).toContain('Lakeside Test Clinic');
  expect(reportText).toMatch(/Filters\s+kind “Sent, exported or printed”; patient MRN-TEST-1/);
  expect(reportText).toMatch(/Audit log check\s+Intact/);
  expect(reportText).toMatch(/sent release R-\d{4}-\d{5} to Qwfp Recipient/);
  expect(reportText).toMatch(/Page 1 of \d+/);

  // 5. The accounting: record a public-health report made by phone, then export the patient's accounting.
  await page.getByRole('tab', { name: 'Accounting of disclosures' }).click();
  await page.getByRole('combobox', { name: 'Patient', exact: true }).fill('Zyxwv');
  await page.getByRole('option', { name: /Zyxwv Testpatient \(born 1970-01-02, MRN-TEST-1\)/ }).click();
  await page.getByRole('button', { name: 'Record a disclosure made outside ReleaseDesk' }).click();
  await page.getByLabel('Recipient', { exact: true }).fill('County Health Department');
  await page.getByLabel('What information was disclosed').fill('Reportable lab result');
  await page.getByLabel('Purpose', { exact: true }).fill('Mandatory communicable disease report by phone');
  await page.getByRole('button', { name: 'Record disclosure' }).click();
  await expect(page.getByText('Disclosure recorded')).toBeVisible();
  await page.getByRole('button', { name: 'Show accounting' }).click();
  const listed = page.getByRole('table', { name: 'Disclosures listed in the accounting' });
  await expect(listed).toContainText('County Health Department');
  const notListed = page.getByRole('table', { name: 'Disclosures not listed in the accounting' });
  await expect(notListed).toContainText('Qwfp Recipient');
  await expect(notListed).toContainText('45 CFR 164.528(a)(1)(ii)');
  await shot(page, 'audit-03-accounting');
  await expectNoAxeViolations(page, 'accounting of disclosures');
  await page.getByRole('button', { name: 'Export accounting (PDF and CSV)' }).click();
  await expect(page.getByText('Accounting of disclosures saved')).toBeVisible({ timeout: 60_000 });
  files = filesUnder(exportDir);
  const accPdf = files.find((f) => /accounting-of-disclosures-.*\.pdf$/.test(f))!;
  expect(accPdf).not.toMatch(/Zyxwv|MRN/); // no PHI in file names
  const accText = execFileSync('pdftotext', ['-layout', join(exportDir, accPdf), '-']).toString('utf8');
  expect(accText).toContain('Accounting of disclosures');
  expect(accText).toContain('Zyxwv Testpatient, born 1970-01-02');
  expect(accText).toContain('County Health Department');
  expect(accText).toContain('Reportable lab result');
  expect(accText).not.toContain('Qwfp Recipient'); // the right-of-access copy is excluded (164.528(a)(1)(ii))
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', join(exportDir, accPdf), join(process.cwd(), 'test-results', 'screens', 'audit-accounting-pdf')]);
  // The copy for the patient: the same disclosures, without the officer-only integrity receipt.
  await page.getByRole('button', { name: 'Export patient copy (no integrity receipt)' }).click();
  await expect(page.getByText('Accounting of disclosures (patient copy) saved')).toBeVisible({ timeout: 60_000 });
  const copyPdf = filesUnder(exportDir).find((f) => /accounting-of-disclosures-patient-copy-.*\.pdf$/.test(f))!;
  const copyText = execFileSync('pdftotext', ['-layout', join(exportDir, copyPdf), '-']).toString('utf8');
  expect(copyText).toContain('Zyxwv Testpatient, born 1970-01-02');
  expect(copyText).toContain('County Health Department');
  expect(copyText).not.toMatch(/gpg|SHA-256|Checkpoint|[0-9a-f]{16}/i);

  // 6. The exports are themselves in the log.
  await page.getByRole('tab', { name: 'Events' }).click();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(events).toContainText('Jordan Frontdesk exported an accounting of disclosures for');
  await expect(events).toContainText('Jordan Frontdesk exported an audit report');
  await page.getByRole('button', { name: 'Verify log integrity' }).click();
  await expect(page.getByText('The log is intact')).toBeVisible();
  await shot(page, 'audit-04-verified');
  await expectNoAxeViolations(page, 'audit events verified');
});
