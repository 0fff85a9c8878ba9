/**
 * The walking skeleton's "Done when": setup → new release → import a real PDF →
 * recipient key made by gpg → send to a real SMTP server that requires STARTTLS
 * → gpg decrypts, GOODSIG/VALIDSIG with the practice key, PDF byte-identical →
 * the audit screen shows the transmission with its TLS version.
 */
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { expect, hostCall, expectNoAxeViolations, FIXTURE_PDF, prepareRelease, shot, test } from './fixtures';
import { requireTool } from '../support/tools';

const RECIPIENT = 'qwfp.recipient@example.test';

test('release records end to end: encrypted, signed, over STARTTLS, audited', async ({ page, app, keyring: gpg }) => {
  test.setTimeout(240_000); // setup through the wizard, nine screenshots and five axe checks on a shared machine
  test.info().skip(!requireTool('gpg') || !requireTool('openssl'), 'gpg and openssl are required');
  const recipientFpr = gpg.generateKey({ name: 'Qwfp Recipient', email: RECIPIENT });
  const { host, smtp, practiceFpr } = await app.open({ setup: 'ui-with-screens' });
  await prepareRelease(page, gpg.exportPublic(recipientFpr), RECIPIENT, true);

  await page.getByRole('button', { name: 'Send encrypted release' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('sent-tls')).toContainText('TLSv1.');
  await shot(page, '09-sent');

  // What the server received: one PGP/MIME message over TLS.
  expect(smtp.received).toHaveLength(1);
  const msg = smtp.received[0]!;
  expect(msg.secure).toBe(true);
  expect(msg.rcptTo).toEqual([RECIPIENT]);
  const raw = msg.raw.toString('utf8');
  expect(raw).toMatch(/multipart\/encrypted;[\s\S]*application\/pgp-encrypted/);
  expect(raw).not.toContain('Zyxwv');
  const armored = raw.slice(raw.indexOf('-----BEGIN PGP MESSAGE-----'), raw.indexOf('-----END PGP MESSAGE-----') + 25);

  // The recipient decrypts with gpg and checks the practice's signature.
  const settings = await hostCall<{ practicePublicKeyArmored: string; practiceKey: { fingerprint: string } }>(host, 'settings.get', {});
  expect(settings.practiceKey.fingerprint).toBe(practiceFpr);
  gpg.importKey(settings.practicePublicKeyArmored);
  const out = gpg.decrypt(armored);
  expect(out.exitCode).toBe(0);
  expect(out.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
  expect(out.status.some((l) => l.startsWith('VALIDSIG ') && l.includes(practiceFpr))).toBe(true);
  const inner = await simpleParser(out.stdout);
  const pdfs = inner.attachments.filter((a) => a.contentType === 'application/pdf');
  expect(pdfs).toHaveLength(1);
  expect(pdfs[0]!.filename).not.toMatch(/synthetic|Zyxwv/i);
  expect(Buffer.compare(pdfs[0]!.content, readFileSync(FIXTURE_PDF))).toBe(0);
  // The practice public key travels inside the encryption, with how to check it (grouped fingerprint).
  const keyPart = inner.attachments.find((a) => a.filename === 'practice-key.asc');
  expect(keyPart?.contentType).toBe('application/pgp-keys');
  expect(keyPart!.content.toString('utf8').trim()).toBe(settings.practicePublicKeyArmored.trim());
  expect(inner.text).toContain(practiceFpr.match(/.{4}/g)!.join(' '));

  // The audit screen shows the transmission and its TLS version.
  await page.getByRole('button', { name: 'Open audit log' }).click();
  const row = page.getByRole('table', { name: 'Transmissions' }).getByRole('row').nth(1);
  await expect(row).toContainText(RECIPIENT);
  await expect(row.getByTestId('tls-cell')).toContainText(msg.tlsProtocol ?? 'TLSv1.3');
  await shot(page, '10-audit-transmissions');
  await expectNoAxeViolations(page, 'audit');
  await page.getByRole('tab', { name: /Events/ }).click();
  await expect(page.getByRole('table', { name: 'Audit events' })).toBeVisible();
  await page.getByRole('button', { name: 'Verify log integrity' }).click();
  await expect(page.getByText('The log is intact')).toBeVisible();
  await shot(page, '11-audit-events-verified');
  await expectNoAxeViolations(page, 'audit events');
});

test('a server without STARTTLS gets nothing: TLS_REQUIRED shown, release stays unsent', async ({ page, app, keyring: gpg }) => {
  test.info().skip(!requireTool('gpg') || !requireTool('openssl'), 'gpg and openssl are required');
  const recipientFpr = gpg.generateKey({ name: 'Qwfp Recipient', email: RECIPIENT });
  const { smtp } = await app.open({ smtp: { starttls: false } });
  await prepareRelease(page, gpg.exportPublic(recipientFpr), RECIPIENT);
  await page.getByRole('button', { name: 'Send encrypted release' }).click();
  const alert = page.locator('[role="alert"][data-code="TLS_REQUIRED"]');
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toContainText('does not offer an encrypted connection');
  await expect(page.getByText('The release is still here, unsent')).toBeVisible();
  await shot(page, '12-send-tls-required');
  expect(smtp.received).toHaveLength(0);
  await page.getByRole('button', { name: 'Back to releases' }).first().click();
  const row = page.getByRole('table', { name: 'Releases' }).getByRole('row').nth(1);
  await expect(row).not.toContainText('Sent');
  await expect(row).toContainText(/Draft|Not sent/);
  await shot(page, '13-releases-unsent');
});
