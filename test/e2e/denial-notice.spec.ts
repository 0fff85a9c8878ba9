/**
 * End to end in Chromium through the real test host: a right-of-access request is denied with a reason; the request
 * screen then shows "Closed — denied on <date>" instead of days left and offers the written denial letter
 * (164.524(d)(2)); the saved PDF, read with pdftotext, states the reason and prints the practice's address, phone
 * and privacy officer. Axe on the denial panel.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, expectNoAxeViolations, recordRequest, shot, test } from './fixtures';
import { requireTool } from '../support/tools';

test('a denied request gets its written denial letter with the practice details', async ({ page, app }) => {
  test.info().skip(!requireTool('pdftotext'), 'pdftotext (poppler) is required');
  const exportDir = mkdtempSync(join(tmpdir(), 'rd-e2e-denial-'));
  try {
    await app.open({ smtp: false, exportDir });
    await recordRequest(page);
    await page.getByRole('button', { name: 'Deny…' }).click();
    await page.locator('#close-reason').fill('A licensed professional judged that access could endanger another person.');
    await page.getByRole('button', { name: 'Deny the request' }).click();
    await expect(page.getByTestId('days-left')).toHaveText(/^Closed — denied on \w{3} \d{1,2}, \d{4}$/);
    const panel = page.getByRole('region', { name: 'Written denial for the patient' });
    await expect(panel).toBeVisible();
    await expect(page.getByLabel('The patient can ask for a review of this denial')).toBeChecked();
    await shot(page, 'denial-01-panel');
    await expectNoAxeViolations(page, 'request: written denial');
    await panel.getByRole('button', { name: 'Make the denial letter…' }).click();
    await expect(panel.getByRole('status')).toContainText('was saved');
    const files = readdirSync(exportDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.pdf'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/denial-notice-Q-\d{4}-\d{5}\.pdf$/);
    const t = execFileSync('pdftotext', ['-enc', 'UTF-8', join(exportDir, files[0]!), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(t).toContain('could endanger another person');
    expect(t).toContain('12 Elm St, Springfield, IL 62701');
    expect(t).toContain('(217) 555-0100');
    expect(t).toContain('Qwfp Privacyofficer');
    expect(t).toContain('To ask for a review');
    await shot(page, 'denial-02-saved');
  } finally {
    rmSync(exportDir, { recursive: true, force: true });
  }
});
