/**
 * Records as practices receive them, through the real UI in Chromium: a phone photo with GPS EXIF, a 3-page fax
 * TIFF and a password-protected PDF are dropped onto the Records step together; the photo and the fax are added
 * at once, the PDF asks for its password, a wrong one is refused, the right one adds it. Fixtures are made in the
 * test by ImageMagick, exiftool, tiffcp and qpdf. Then the release is sent by OpenPGP over STARTTLS; the recipient
 * decrypts three PDFs (1, 3 and 2 pages) with gpg, the photo without its GPS position or camera.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { chooseRecipient, expect, hostCall, expectNoAxeViolations, recordRequest, shot, test, verifyAndMarkReady } from './fixtures';
import { requireTool } from '../support/tools';
import { faxTiff, gpsPhoto, plainPdf, qpdfEncrypt, sh, workDir } from '../unit/documents/fixtures';

const PDF_PASSWORD = 'Synth-Lab-Pass-2291';

/**
 * axe on what this feature adds (drop zone, password prompt). The unclassified rows' red hints fail colour contrast
 * already on main (reported to the lead), so the whole page is checked once the documents are classified.
 */
async function expectNoAxeViolationsIn(page: Page, selector: string, what: string): Promise<void> {
  await page.mouse.move(0, 0);
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`), `axe violations on ${what}`).toEqual([]);
}

const RECIPIENT = 'qwfp.recipient@example.test';

test('a photo, a fax and a password-protected PDF dropped onto the Records step are all added, then sent encrypted', async ({ page, app, keyring: gpg }) => {
  test.info().skip(!['convert', 'exiftool', 'tiffcp', 'qpdf', 'gpg', 'openssl', 'pdfinfo'].every((t) => requireTool(t)), 'ImageMagick, exiftool, tiffcp, qpdf, gpg, openssl and poppler are required');
  const w = workDir();
  try {
    const recipientFpr = gpg.generateKey({ name: 'Qwfp Recipient', email: RECIPIENT });
    const files = [
      { name: 'wound-photo.jpg', type: 'image/jpeg', b64: gpsPhoto(w.dir).toString('base64') },
      { name: 'lab-fax.tif', type: 'image/tiff', b64: faxTiff(w.dir, 3).toString('base64') },
      { name: 'outside-report.pdf', type: 'application/pdf', b64: qpdfEncrypt(w.dir, await plainPdf('Synthetic outside report', 2), PDF_PASSWORD).toString('base64') },
    ];
    const { host, smtp } = await app.open();
    await recordRequest(page, { recipientDestination: RECIPIENT });
    await verifyAndMarkReady(page);
    await page.getByRole('button', { name: 'Start release' }).click();
    await expect(page.getByRole('heading', { name: /^Release R-/ })).toBeVisible();

    const zone = page.getByTestId('record-drop-zone');
    await expect(zone).toContainText('Or drag files here');
    const dataTransfer = await page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return dt;
    }, files);
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('dragover', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });

    const table = page.getByRole('table', { name: 'Documents in this release' });
    await expect(table.getByRole('cell', { name: 'wound-photo.jpg', exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(table.getByRole('cell', { name: 'lab-fax.tif', exact: true })).toBeVisible();
    await expect(table.getByRole('row', { name: /lab-fax\.tif/ }).getByRole('cell', { name: '3', exact: true })).toBeVisible();
    await expect(page.getByText('1 PDF is protected by a password')).toBeVisible();
    const password = page.getByLabel('Password for outside-report.pdf');
    await expect(password).toBeVisible();
    await shot(page, 'inputs-01-password-asked');
    await expectNoAxeViolationsIn(page, '[data-testid="record-drop-zone"]', 'records step: drop zone');
    await expectNoAxeViolationsIn(page, '[data-testid="import-refusals"]', 'records step: protected PDF asks for its password');

    await password.fill('not-the-password');
    await page.getByRole('button', { name: 'Open and add' }).click();
    await expect(page.getByText('That password does not open this PDF')).toBeVisible();
    await expect(password).toHaveValue('');
    await password.fill(PDF_PASSWORD);
    await password.press('Enter');
    await expect(table.getByRole('cell', { name: 'outside-report.pdf', exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(table.getByRole('row', { name: /outside-report\.pdf/ }).getByRole('cell', { name: '2', exact: true })).toBeVisible();
    await expect(page.getByText('protected by a password')).toHaveCount(0);
    await expect(page.getByText('3 documents, 6 pages. Next: choose the recipient.')).toBeVisible();
    await shot(page, 'inputs-02-all-added');
    for (const name of ['wound-photo.jpg', 'lab-fax.tif', 'outside-report.pdf']) {
      await page.getByLabel(`Category of ${name}`).selectOption('visit_notes');
      const date = page.getByLabel(`Date of service of ${name}`);
      await date.fill('2025-06-01');
      await date.blur();
    }
    await expect(table.getByText('In scope — selected')).toHaveCount(3);
    await expectNoAxeViolations(page, 'records step: photo, fax and protected PDF added and classified');
    // The typed password is not kept anywhere the page can reach.
    expect(await page.content()).not.toContain(PDF_PASSWORD);

    // Sent in one encrypted release: the recipient decrypts three PDFs (1, 3 and 2 pages); the photo carries no GPS or camera.
    await page.getByRole('button', { name: 'Next: recipient' }).click();
    await chooseRecipient(page, gpg.exportPublic(recipientFpr), RECIPIENT);
    await page.getByRole('button', { name: 'Send encrypted release' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Sent' })).toBeVisible({ timeout: 60_000 });
    expect(smtp.received).toHaveLength(1);
    const raw = smtp.received[0]!.raw.toString('utf8');
    const armored = raw.slice(raw.indexOf('-----BEGIN PGP MESSAGE-----'), raw.indexOf('-----END PGP MESSAGE-----') + 25);
    const settings = await hostCall<{ practicePublicKeyArmored: string }>(host, 'settings.get', {});
    gpg.importKey(settings.practicePublicKeyArmored); // to check the practice's signature
    const out = gpg.decrypt(armored);
    expect(out.exitCode).toBe(0);
    const inner = await simpleParser(out.stdout);
    const pdfs = inner.attachments.filter((a) => a.contentType === 'application/pdf');
    const pages = pdfs.map((a, i) => {
      const path = w.path(`received-${i}.pdf`);
      writeFileSync(path, a.content);
      expect(a.content.toString('latin1')).not.toMatch(/Testcam|Synthphone|SN-0042|Synthetic patient photo/);
      return Number(/Pages:\s+(\d+)/.exec(sh('pdfinfo', [path]))![1]);
    });
    expect(pages.sort()).toEqual([1, 2, 3]);
    expect(readFileSync(w.path('received-0.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  } finally {
    w.cleanup();
  }
});
