/**
 * Retention in Settings (the privacy officer's area) and restore on a new computer, in Chromium through the real test
 * host: a policy under six years is refused with RETENTION_TOO_SHORT on the field it names; six years with record files
 * kept 30 days is saved; a legal hold is placed on a request with its reason and lifted after a confirmation; "Purge
 * expired records now" asks first and reports kinds and counts; a backup is made and verified into the preview's export
 * folder. Then, on a second host with an empty data folder, the setup screen restores that backup (a wrong passphrase
 * is refused first) and opens on Today with the same request. Axe on Settings and the setup screen. Synthetic data only.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { callApi, expect, expectNoAxeViolations, PASSPHRASE, shot, test } from './fixtures';

const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });

test('Settings: retention policy (too short refused), legal hold placed and lifted, purge now with its summary, verified backup; restore on a new computer', async ({ page, app }) => {
  test.setTimeout(180_000);
  const exportDir = mkdtempSync(join(tmpdir(), 'rd-e2e-backup-'));
  try {
    await app.open({ smtp: false, exportDir }); // no mail is sent in this test
    const req = await callApi<{ id: string; reference: string }>(page, 'requests.create', {
      patient: { name: 'Zyxwv Holdpatient', dateOfBirth: '1980-05-06', mrn: 'MRN-TEST-HOLD' },
      basis: 'right_of_access',
      receivedAt: new Date().toISOString(),
      requester: { role: 'patient', name: 'Zyxwv Holdpatient' },
      recipients: [{ name: 'Zyxwv Holdpatient', destination: 'zyxwv.hold@example.test' }],
      scope: { categories: ['visit_notes'], from: '2025-01-01', to: '2025-12-31' },
      form: { format: 'pdf', electronic: true },
    });

    await nav(page, 'Settings').click();
    const section = page.getByTestId('retention-settings');
    await expect(section.getByRole('heading', { name: 'Retention and legal holds' })).toBeVisible();
    await expect(section.getByTestId('policy-not-set')).toBeVisible();

    // 1. Under six years: refused by the service, shown on the form with the field marked.
    await page.locator('#retention-documentationYears').fill('5');
    await section.getByRole('button', { name: 'Save retention policy' }).click();
    const refusal = section.locator('[role="alert"][data-code="RETENTION_TOO_SHORT"]');
    await expect(refusal).toBeVisible();
    await expect(refusal).toContainText('at least 6 years');
    await expect(page.locator('#retention-documentationYears')).toHaveAttribute('aria-invalid', 'true');
    await refusal.scrollIntoViewIfNeeded();
    await shot(page, 'retention-01-too-short');
    await expectNoAxeViolations(page, 'settings: retention refused');

    // 2. Six years; record files removed 30 days after completion.
    await page.locator('#retention-documentationYears').fill('6');
    await section.getByRole('radio', { name: 'Remove them a number of days after the release is completed' }).check();
    await page.locator('#retention-recordFileDays').fill('30');
    await section.getByRole('button', { name: 'Save retention policy' }).click();
    await expect(section.getByText('Retention policy saved')).toBeVisible();
    await expect(refusal).toHaveCount(0);
    await expect(section.getByTestId('policy-not-set')).toHaveCount(0);

    // 3. A legal hold on the request, with its reason; then lifted after a confirmation.
    await page.locator('#hold-target').fill(req.reference);
    await page.locator('#hold-reason').fill('Records preservation letter 2026-11');
    await section.getByRole('button', { name: 'Place legal hold' }).click();
    const holds = section.getByRole('table', { name: 'Legal holds' });
    await expect(holds).toContainText(req.reference);
    await expect(holds).toContainText('Records preservation letter 2026-11');
    await expect(holds).toContainText('Jordan Frontdesk');
    await holds.scrollIntoViewIfNeeded();
    await shot(page, 'retention-02-hold-placed');
    await holds.getByRole('button', { name: 'Lift hold' }).click();
    const liftDialog = page.getByRole('dialog', { name: 'Lift this legal hold?' });
    await expect(liftDialog).toContainText(`Request ${req.reference}`);
    await liftDialog.getByRole('button', { name: 'Lift hold' }).click();
    await expect(section.getByText('No legal holds.')).toBeVisible();
    await expect(section.getByText(/Legal hold lifted/)).toBeVisible();

    // 4. Purge now: a confirmation naming what is and is never removed, then kinds and counts.
    await section.getByRole('button', { name: 'Purge expired records now…' }).click();
    const purgeDialog = page.getByRole('dialog', { name: 'Purge expired records now?' });
    await expect(purgeDialog).toContainText('record files of releases completed 30 days ago or more');
    await expect(purgeDialog).toContainText('Never removed: anything under a legal hold, the audit log');
    await shot(page, 'retention-03-purge-confirm');
    await expectNoAxeViolations(page, 'purge confirmation');
    await purgeDialog.getByRole('button', { name: 'Purge now' }).click();
    const result = section.getByTestId('purge-result');
    await expect(result).toContainText('Purge finished');
    await expect(result).toContainText('Nothing had expired');
    await expect(result.getByRole('list', { name: 'Removed, by kind' })).toContainText('0 record files of completed releases');
    await expect(result).not.toContainText('Zyxwv');

    // 5. Backup: made into the chosen folder and verified.
    const backupBox = page.getByTestId('backup-settings');
    await expect(backupBox.getByTestId('last-backup')).toContainText('No backup has been made yet');
    await backupBox.getByRole('button', { name: 'Back up now…' }).click();
    const made = backupBox.getByTestId('backup-result');
    await expect(made).toContainText('Backup made and verified', { timeout: 30_000 });
    await expect(made).toContainText(/audit events? verified in the copy/);
    await expect(backupBox.getByTestId('last-backup')).toContainText('Last backup:');
    const backups = readdirSync(exportDir, { recursive: true }).map(String).filter((f) => /releasedesk-backup-[^/]*$/.test(f));
    expect(backups).toHaveLength(1);
    await shot(page, 'retention-04-settings');
    await expectNoAxeViolations(page, 'settings with retention and backup');

    // 6. Today no longer says a backup is due.
    await nav(page, 'Today').click();
    await expect(page.getByTestId('dash-safety')).toContainText('The backup is recent');

    // 7. A new computer: the setup screen restores the backup (wrong passphrase refused first) and opens on Today.
    await app.startOnNewComputer([], { exportDir });
    await expect(page.getByRole('heading', { name: 'Set up ReleaseDesk' })).toBeVisible();
    const restore = page.getByTestId('restore-backup');
    await restore.getByRole('button', { name: 'Restore from a backup…' }).click();
    await page.locator('#restore-passphrase').fill('not the right passphrase at all');
    await restore.getByRole('button', { name: 'Choose the backup folder and restore' }).click();
    await expect(restore.locator('[role="alert"][data-code="WRONG_PASSPHRASE"]')).toBeVisible({ timeout: 30_000 });
    await restore.scrollIntoViewIfNeeded();
    await shot(page, 'retention-05-restore-wrong-passphrase');
    await expectNoAxeViolations(page, 'setup with restore');
    await page.locator('#restore-passphrase').fill(PASSPHRASE);
    await restore.getByRole('button', { name: 'Choose the backup folder and restore' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible({ timeout: 30_000 });
    await nav(page, 'Requests').click();
    await expect(page.getByRole('table', { name: 'Requests' })).toContainText(req.reference);
    await shot(page, 'retention-06-restored');
  } finally {
    rmSync(exportDir, { recursive: true, force: true });
  }
});
