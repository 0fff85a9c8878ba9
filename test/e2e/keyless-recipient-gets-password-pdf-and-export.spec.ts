/**
 * End to end in Chromium through the real test host: a recipient WITHOUT an OpenPGP key gets a
 * password-protected PDF (AES-256, R6). The UI shows the passphrase, and after Done never again (navigating
 * away, reload); the email over STARTTLS holds no passphrase; `pdftotext -upw` opens the attachment only with
 * it; the audit log shows the transmission's method and TLS version. Then a second release is exported into
 * the host's export folder and the UI lists the files written. Axe on the delivery step and the passphrase panel.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Page } from '@playwright/test';
import { expect, expectNoAxeViolations, PASSPHRASE, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';
import { requireTool } from '../support/tools';

const RECIPIENT = 'qwfp.recipient@example.test';
const LADDER = [
  'Encrypted email (OpenPGP)',
  'Encrypted email (S/MIME certificate)',
  'Password-protected PDF by email',
  "Unencrypted email (at the patient's request)",
  'Save to a folder or USB drive (password-protected)',
  'Print for mail or pickup',
];

/** Recipient step without a key → the Delivery step. */
async function recipientWithoutKey(page: Page, screens: boolean): Promise<void> {
  await page.locator('#recipient-name').fill('Qwfp Recipient');
  await page.locator('#recipient-email').fill(RECIPIENT);
  const hasKey = page.getByRole('switch', { name: 'The recipient has an OpenPGP key' });
  await expect(hasKey).toBeChecked();
  await hasKey.uncheck();
  await expect(page.locator('#recipient-key')).toHaveCount(0);
  await expect(page.locator('#recipient-confirm')).toHaveCount(0);
  if (screens) await shot(page, 'password-pdf-01-recipient-no-key');
  await page.getByRole('button', { name: 'Save recipient' }).click();
  await expect(page.getByRole('radiogroup', { name: /How should the records reach the recipient/ })).toBeVisible();
}

/** Every file under `dir` (relative paths). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

test('a recipient without a key gets a password PDF; the passphrase is shown once and is in no email; export lists its files', async ({ page, app }) => {
  test.info().skip(!requireTool('openssl') || !requireTool('pdftotext') || !requireTool('qpdf'), 'openssl, pdftotext (poppler) and qpdf are required');
  const work = mkdtempSync(join(tmpdir(), 'rd-e2e-i4-'));
  try {
    const { smtp, exportDir } = await app.open({ exportDir: true });

    // 1. Request → release → the fixture PDF → a recipient without a key.
    await recordRequest(page, { recipientDestination: RECIPIENT });
    await verifyAndMarkReady(page);
    await startReleaseWithFixture(page);
    await recipientWithoutKey(page, true);

    // 2. Delivery: the ladder strongest first; OpenPGP and unencrypted email unavailable with reasons; password PDF preselected.
    const radios = page.getByRole('radio');
    await expect(radios).toHaveCount(6);
    for (const [i, name] of LADDER.entries()) await expect(radios.nth(i)).toHaveAccessibleName(name);
    await expect(radios.nth(0)).toBeDisabled();
    await expect(page.getByTestId('rung-reason-openpgp-pgp-mime')).toContainText('no OpenPGP key');
    await expect(radios.nth(1)).toBeDisabled();
    await expect(page.getByTestId('rung-reason-smime')).toContainText('no S/MIME certificate');
    await expect(radios.nth(3)).toBeDisabled();
    await expect(page.getByTestId('rung-reason-tls-only-email')).toContainText('warn the individual of the risk');
    await expect(page.getByRole('radio', { name: 'Password-protected PDF by email' })).toBeChecked();
    await expect(radios.nth(4)).toBeEnabled();
    await shot(page, 'password-pdf-02-delivery');
    await expectNoAxeViolations(page, 'release wizard: delivery');
    await page.getByRole('button', { name: 'Next: review' }).click();

    // 3. Review states the method.
    await expect(page.getByTestId('review-method')).toHaveText('Password-protected PDF');
    await expect(page.getByText('Nothing blocks this release')).toBeVisible();
    await shot(page, 'password-pdf-03-review');

    // 4. Send: progress phases are reported by events; a MutationObserver in the page remembers every label the bar
    // showed (a poll can miss a phase that lasts a few milliseconds), then the one-time panel.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __phases: string[] }).__phases = seen;
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="progress-phase"]')?.textContent;
        if (t && !seen.includes(t)) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Send password-protected PDF' }).click();
    await expect(page.getByTestId('progress-bar')).toBeVisible();
    await shot(page, 'password-pdf-04a-progress');
    const panel = page.getByTestId('one-time-panel');
    await expect(panel).toBeVisible({ timeout: 60_000 });
    const phases = await page.evaluate(() => (window as unknown as { __phases: string[] }).__phases);
    const passphrase = (await page.getByTestId('one-time-passphrase').innerText()).trim();
    expect(passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    await expect(panel).toContainText('Call the recipient');
    await expect(page.getByTestId('sent-method')).toHaveText('Password-protected PDF');
    await expect(page.getByTestId('sent-tls')).toContainText('TLSv1.');
    await shot(page, 'password-pdf-04-passphrase-once');
    await expectNoAxeViolations(page, 'one-time passphrase panel');
    const done = panel.getByRole('button', { name: 'Done' });
    await expect(done).toBeDisabled();
    await panel.getByRole('checkbox', { name: /gave the passphrase to the recipient/ }).check();
    await done.click();
    await expect(panel).toHaveCount(0);
    expect(await page.content()).not.toContain(passphrase);
    await shot(page, 'password-pdf-05-after-done');
    // The bar followed the service's progress events (phase labels with percent).
    expect(phases.some((p) => /^(Putting the packet together|Encrypting|Sending to the email server)… \d+ %$/.test(p)), phases.join(' | ')).toBe(true);

    // 5. Never again: away and back, and after a reload.
    await page.getByRole('button', { name: 'Releases', exact: true }).click();
    const row = page.getByRole('table', { name: 'Releases' }).getByRole('row').nth(1);
    await expect(row).toContainText('Sent');
    await row.getByRole('button', { name: /^View release R-/ }).click();
    await expect(page.getByTestId('sent-method')).toHaveText('Password-protected PDF');
    await expect(page.getByTestId('one-time-panel')).toHaveCount(0);
    expect(await page.content()).not.toContain(passphrase);
    // A reload leaves the page (pagehide), which locks the preview's vault: sign in again.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeVisible();
    expect(await page.content()).not.toContain(passphrase);
    expect(page.url()).not.toContain(passphrase);
    await shot(page, 'password-pdf-06-after-reload');
    await page.locator('#unlock-passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible({ timeout: 30_000 });
    expect(await page.content()).not.toContain(passphrase);

    // 6. What the server received: one message over TLS, no passphrase in it; the PDF opens only with the passphrase.
    expect(smtp.received).toHaveLength(1);
    const msg = smtp.received[0]!;
    expect(msg.secure).toBe(true);
    const raw = msg.raw.toString('utf8');
    expect(raw).not.toContain(passphrase);
    expect(raw).not.toContain(passphrase.split('-').join(' '));
    expect(raw).not.toContain('Zyxwv');
    const mail = await simpleParser(msg.raw);
    expect(mail.text ?? '').not.toContain(passphrase);
    const pdfs = mail.attachments.filter((a) => a.contentType === 'application/pdf');
    expect(pdfs).toHaveLength(1);
    const pdfFile = join(work, 'attachment.pdf');
    writeFileSync(pdfFile, pdfs[0]!.content);
    const opened = spawnSync('pdftotext', ['-upw', passphrase, pdfFile, '-'], { encoding: 'utf8' });
    expect(opened.status).toBe(0);
    expect(opened.stdout).toContain('Zyxwv Testpatient');
    const refused = spawnSync('pdftotext', [pdfFile, '-'], { encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    const enc = spawnSync('qpdf', ['--show-encryption', `--password=${passphrase}`, pdfFile], { encoding: 'utf8' });
    expect(enc.stdout).toMatch(/R = 6/);
    expect(enc.stdout).toMatch(/AESv3/);

    // 7. The audit log: the transmission, its method and TLS version.
    await page.getByRole('button', { name: 'Audit log', exact: true }).click();
    const audit = page.getByRole('table', { name: 'Transmissions' }).getByRole('row').nth(1);
    await expect(audit).toContainText(RECIPIENT);
    await expect(audit).toContainText('Password-protected PDF');
    await expect(audit.getByTestId('tls-cell')).toContainText(msg.tlsProtocol ?? 'TLSv1.3');
    await shot(page, 'password-pdf-07-audit');

    // 8. Export: a second request and release, saved into the host's export folder; the UI lists the files.
    await page.getByRole('button', { name: 'Requests', exact: true }).click();
    await recordRequest(page, { recipientDestination: RECIPIENT });
    await verifyAndMarkReady(page);
    await startReleaseWithFixture(page);
    await recipientWithoutKey(page, false);
    await page.getByRole('radio', { name: 'Save to a folder or USB drive (password-protected)' }).click();
    await expect(page.getByRole('radio', { name: 'Save to a folder or USB drive (password-protected)' })).toBeChecked();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await expect(page.getByTestId('review-method')).toHaveText('Saved to a folder or drive');
    await expect(page.getByText('Nothing blocks this release')).toBeVisible();
    await page.getByRole('button', { name: 'Save to a folder or drive' }).click();
    await expect(page.getByTestId('one-time-panel')).toBeVisible({ timeout: 60_000 });
    const exportPass = (await page.getByTestId('one-time-passphrase').innerText()).trim();
    expect(exportPass).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    expect(exportPass).not.toBe(passphrase);
    const listed = (await page.getByTestId('export-files').getByRole('listitem').allInnerTexts()).map((t) => t.split(' — ')[0]!.trim());
    const onDisk = filesUnder(exportDir);
    expect(onDisk.map((f) => f.split('/').pop()).sort()).toEqual([...listed].sort());
    expect(listed.some((n) => n.endsWith('.pdf'))).toBe(true);
    expect(listed.join(' ')).not.toMatch(/Zyxwv|synthetic/i);
    await shot(page, 'password-pdf-08-exported');
    const packet = onDisk.find((f) => f.endsWith('.pdf') && !f.includes('manifest'))!;
    expect(spawnSync('pdftotext', ['-upw', exportPass, join(exportDir, packet), '-'], { encoding: 'utf8' }).status).toBe(0);
    await page.getByTestId('one-time-panel').getByRole('checkbox').check();
    await page.getByTestId('one-time-panel').getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('one-time-panel')).toHaveCount(0);
    expect(await page.content()).not.toContain(exportPass);
    await expect(page.getByTestId('export-files')).toBeVisible();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
