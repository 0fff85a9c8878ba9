/**
 * Playwright fixtures: the real test host (real services, encrypted vault) on a
 * temp data dir per test, real gpg homes, screenshots under test-results/screens.
 */
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type Host } from '../host/server';
import { SMTP_PASSWORD, SMTP_USER } from '../support/smtp';

export const SCREENS = join(process.cwd(), 'test-results', 'screens');
export const FIXTURE_PDF = join(process.cwd(), 'test', 'fixtures', 'synthetic-record.pdf');
export const PASSPHRASE = 'orbit velvet canyon lantern meadow';

interface AppFixture {
  /** Starts the host trusting `smtpCa` and opens the app in `page`. */
  start(smtpCa: string[]): Promise<Host>;
}

export const test = base.extend<{ app: AppFixture }>({
  app: async ({ page }, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rd-e2e-'));
    let host: Host | null = null;
    await use({
      async start(smtpCa) {
        host = await startHost({ dataDir, smtpCa });
        await page.goto(host.url);
        return host;
      },
    });
    await page.close();
    if (host) await (host as Host).close();
    rmSync(dataDir, { recursive: true, force: true });
  },
});
export { expect };

/** Saves a full-page screenshot as test-results/screens/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}

/** Runs axe on the current page and fails with the violations listed. */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  expect(summary, `axe violations on ${what}`).toEqual([]);
}

/** Completes first-run setup against an SMTP server on 127.0.0.1:`port`; returns the practice key fingerprint as shown. */
export async function completeSetup(page: Page, port: number, screens = false): Promise<string> {
  await expect(page.getByRole('heading', { name: 'Set up ReleaseDesk' })).toBeVisible();
  await expect(page.getByText('Development preview — not the desktop app')).toBeVisible();
  await expect(page).toHaveURL(/^[^#]*$/); // token stripped from the URL
  if (screens) {
    await shot(page, '01-setup');
    await expectNoAxeViolations(page, 'setup');
  }
  await page.locator('#setup-passphrase').fill(PASSPHRASE);
  await page.locator('#setup-confirm').fill(PASSPHRASE);
  await expect(page.getByText(/good enough/)).toBeVisible();
  await page.locator('#setup-staffName').fill('Jordan Frontdesk');
  await page.locator('#setup-practiceName').fill('Lakeside Test Clinic');
  await page.locator('#setup-senderName').fill('Records, Lakeside Test Clinic');
  await page.locator('#setup-senderEmail').fill(SMTP_USER);
  await page.locator('#setup-smtpHost').fill('127.0.0.1');
  await page.locator('#setup-smtpPort').fill(String(port));
  await page.locator('#setup-smtpUser').fill(SMTP_USER);
  await page.locator('#setup-smtpPassword').fill(SMTP_PASSWORD);
  if (screens) await shot(page, '02-setup-filled');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('heading', { name: 'Your vault is ready' })).toBeVisible({ timeout: 30_000 });
  const fpr = (await page.getByTestId('fingerprint').innerText()).replace(/\s+/g, '');
  expect(fpr).toMatch(/^[0-9A-F]{40}$/);
  if (screens) await shot(page, '03-vault-ready');
  await page.getByRole('button', { name: 'Continue to releases' }).click();
  await expect(page.getByRole('heading', { name: 'Releases', exact: true })).toBeVisible();
  return fpr;
}

/** Patient → records (the fixture PDF through the real file chooser) → recipient with `armoredKey`. */
export async function prepareRelease(page: Page, armoredKey: string, recipientEmail: string, screens = false): Promise<void> {
  if (screens) await shot(page, '04-releases-empty');
  await page.getByRole('button', { name: 'New release' }).click();
  await expect(page.getByRole('heading', { name: 'New release' })).toBeVisible();
  if (screens) await expectNoAxeViolations(page, 'release wizard: patient');
  await page.locator('#patient-name').fill('Zyxwv Testpatient');
  await page.locator('#patient-dob').fill('1970-01-02');
  await page.locator('#patient-mrn').fill('MRN-TEST-1');
  if (screens) await shot(page, '05-patient');
  await page.getByRole('button', { name: 'Create release' }).click();

  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Add PDF files' }).click();
  await (await chooser).setFiles(FIXTURE_PDF);
  const table = page.getByRole('table', { name: 'Documents in this release' });
  await expect(table.getByRole('cell', { name: 'synthetic-record.pdf' })).toBeVisible();
  await expect(table.getByRole('cell', { name: '3', exact: true })).toBeVisible();
  if (screens) {
    await shot(page, '06-records');
    await expectNoAxeViolations(page, 'release wizard: records');
  }
  await page.getByRole('button', { name: 'Next: recipient' }).click();

  await page.locator('#recipient-name').fill('Qwfp Recipient');
  await page.locator('#recipient-email').fill(recipientEmail);
  await page.locator('#recipient-key').fill(armoredKey);
  await page.getByRole('button', { name: 'Check key' }).click();
  await expect(page.getByLabel('Recipient key fingerprint')).toBeVisible();
  await page.locator('#recipient-confirm').check();
  if (screens) {
    await shot(page, '07-recipient');
    await expectNoAxeViolations(page, 'release wizard: recipient');
  }
  await page.getByRole('button', { name: 'Save recipient' }).click();
  await expect(page.getByRole('heading', { name: 'What happens next' })).toBeVisible();
  if (screens) {
    await shot(page, '08-review');
    await expectNoAxeViolations(page, 'release wizard: review');
  }
}
