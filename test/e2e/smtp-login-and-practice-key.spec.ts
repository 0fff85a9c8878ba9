/**
 * Settings (new-user trial fixes): the SMTP password can be changed and tested without sending anything;
 * a wrong password is reported as SMTP_AUTH_FAILED, the right one with the negotiated TLS version; the
 * practice public key is saved as practice-key.asc; the screen passes axe.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect, expectNoAxeViolations, shot, test } from './fixtures';
import { SMTP_PASSWORD } from '../support/smtp';
import { requireTool } from '../support/tools';

test('Settings: test the SMTP login (wrong → SMTP_AUTH_FAILED, fixed → TLS version), save the practice key; axe clean', async ({ page, app }) => {
  test.info().skip(!requireTool('openssl'), 'openssl is required');
  const exportDir = mkdtempSync(join(tmpdir(), 'rd-e2e-settings-export-'));
  try {
    const { smtp, practiceFpr: fpr } = await app.open({ exportDir });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    const heading = page.getByRole('heading', { level: 1, name: 'Settings' });
    await expect(heading).toBeFocused();
    await expect(page.getByLabel('Practice key fingerprint')).toHaveText(fpr.match(/.{4}/g)!.join(' '));
    await expect(page.getByTestId('practice-public-key')).toHaveValue(/BEGIN PGP PUBLIC KEY BLOCK/);
    await shot(page, '20-settings');
    await expectNoAxeViolations(page, 'settings');

    // A wrong password: the test connection says so, nothing is sent, nothing is saved.
    await page.locator('#settings-smtpPassword').fill('not the password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const alert = page.locator('[data-code="SMTP_AUTH_FAILED"]');
    await expect(alert).toBeVisible({ timeout: 20_000 });
    await expect(alert).toContainText('refused the user name or password');
    await shot(page, '21-settings-auth-failed');
    await expectNoAxeViolations(page, 'settings with a failed connection test');

    // Saved anyway (staff may save first), then fixed: the stored password is tested when the field is empty.
    await page.getByRole('button', { name: 'Save email server settings' }).click();
    await expect(page.getByText('Email server settings saved')).toBeVisible();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.locator('[data-code="SMTP_AUTH_FAILED"]')).toBeVisible({ timeout: 20_000 });

    await page.locator('#settings-smtpPassword').fill(SMTP_PASSWORD);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('smtp-test-ok')).toContainText(/TLS 1\.[23]/, { timeout: 20_000 });
    await page.getByRole('button', { name: 'Save email server settings' }).click();
    await expect(page.getByText('Email server settings saved')).toBeVisible();
    await page.locator('#settings-smtpPassword').fill('');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('smtp-test-ok')).toContainText(/TLS 1\.[23]/, { timeout: 20_000 });
    await shot(page, '22-settings-connection-ok');
    expect(smtp.received).toHaveLength(0);

    // The practice public key as a file for recipients.
    await page.getByRole('button', { name: /save key file/i }).click();
    await expect(page.getByText(/key file saved as practice-key\.asc/i)).toBeVisible();
    const saved = readdirSync(exportDir, { recursive: true }).map(String).filter((f) => f.endsWith('practice-key.asc'));
    expect(saved).toHaveLength(1);
    const text = readFileSync(join(exportDir, saved[0]!), 'utf8');
    expect(text).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(text).not.toContain('PRIVATE');
  } finally {
    rmSync(exportDir, { recursive: true, force: true });
  }
});

test('Settings: the practice’s existing gpg key replaces the generated one (wrong passphrase refused, nothing changed); axe clean', async ({ page, app, keyring: gpg }) => {
  test.info().skip(!requireTool('openssl') || !requireTool('gpg'), 'openssl and gpg are required');
  const { practiceFpr: generated } = await app.open();
  const pw = ['--passphrase', 'Quarry-Lantern-Orchard-17'];
  // The worker's keyring holds other keys already: the new key is the fingerprint that was not there before.
  const fingerprints = () => gpg.run(['--with-colons', '--list-keys']).toString('utf8').split('\n').filter((l) => l.startsWith('fpr:')).map((l) => l.split(':')[9]!);
  const before = new Set(fingerprints());
  gpg.run([...pw, '--quick-gen-key', 'Zyxwv Family Clinic <records@zyxwv-clinic.example.test>', 'ed25519', 'sign', 'never']);
  const fpr = fingerprints().find((f) => !before.has(f))!;
  gpg.run([...pw, '--quick-add-key', fpr, 'cv25519', 'encr', 'never']);
  const armored = gpg.run([...pw, '--armor', '--export-secret-keys', fpr]).toString('utf8');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: /existing key instead/i }).click();
  await page.getByTestId('import-practice-key').fill(armored);
  await page.getByLabel(/the key’s passphrase/i).fill('not the passphrase');
  await page.getByRole('button', { name: 'Use this key' }).click();
  await expect(page.getByText(/that passphrase does not open the key/i)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Practice key fingerprint')).toHaveText(generated.match(/.{4}/g)!.join(' '));

  await page.getByLabel(/the key’s passphrase/i).fill('Quarry-Lantern-Orchard-17');
  await page.getByRole('button', { name: 'Use this key' }).click();
  await expect(page.getByLabel('Imported key fingerprint')).toHaveText(fpr.match(/.{4}/g)!.join(' '), { timeout: 20_000 });
  await expect(page.getByLabel('Practice key fingerprint')).toHaveText(fpr.match(/.{4}/g)!.join(' '));
  await shot(page, '23-settings-practice-key-imported');
  await expectNoAxeViolations(page, 'settings after importing the practice key');
});
