/**
 * End to end: a third-party request under an authorization. A DEFECTIVE
 * authorization (expired, missing the (c)(2)(iii) redisclosure statement) blocks
 * the release at review with each reason and its citation; fixing it lets the
 * release go out (real STARTTLS smtp-server, gpg decrypts and verifies), and the
 * audit screen shows the authorization the transmission relied on.
 * Axe scans: requests list, request intake, authorization form, release review, audit.
 */
import { simpleParser } from 'mailparser';
import { readFileSync } from 'node:fs';
import {
  chooseRecipient, fillAuthorization, expect, hostCall, expectNoAxeViolations, FIXTURE_PDF, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady,
} from './fixtures';
import { requireTool } from '../support/tools';

const RECIPIENT = 'claims.qwfp@example.test';

test('a defective authorization blocks the send with its reasons; once fixed the release goes out and the audit names it', async ({ page, app, keyring: gpg }) => {
  test.setTimeout(240_000); // two reviews, a send and the audit on a shared machine (like the other release specs)
  test.info().skip(!requireTool('gpg') || !requireTool('openssl'), 'gpg and openssl are required');
  const recipientFpr = gpg.generateKey({ name: 'Qwfp Insurer Claims', email: RECIPIENT });
  const { host, smtp } = await app.open();

  // 1. Intake: a third-party disclosure under an authorization.
  await recordRequest(page, { basis: 'authorization', requester: 'Qwfp Insurance Co', recipientName: 'Qwfp Insurer Claims', recipientDestination: RECIPIENT }, 'defective-auth-01');
  await verifyAndMarkReady(page);

  // 2. The authorization as written on the (defective) signed form: expired, no redisclosure statement.
  const form = page.getByRole('form', { name: 'Authorization' });
  await fillAuthorization(page, {
    description: 'Visit notes from 2025 for the disability claim',
    categories: ['Visit notes'],
    recipients: 'Qwfp Insurance Co, claims department',
    purpose: 'Evaluation of a disability claim',
    expires: '2026-01-31',
    signedOn: '2025-12-01',
    redisclosureStatement: false,
  });
  const findings = page.getByRole('list', { name: 'Authorization findings' });
  await expect(findings.locator('[data-code="AUTH_EXPIRED"]')).toContainText('45 CFR 164.508(b)(2)(i)');
  await expect(findings.locator('[data-code="AUTH_STATEMENT_REDISCLOSURE"]')).toContainText('45 CFR 164.508(c)(2)(iii)');
  await expect(findings.locator('[data-severity="block"]')).toHaveCount(2);
  await expect(page.getByText(/defective: it blocks the release/)).toBeVisible();
  await shot(page, 'defective-auth-02-authorization-defective');
  await expectNoAxeViolations(page, 'authorization form');

  // 3. The release: records in scope, recipient, review → blocked, listing both reasons.
  await startReleaseWithFixture(page);
  await chooseRecipient(page, gpg.exportPublic(recipientFpr), RECIPIENT);
  const gate = page.getByRole('list', { name: 'Compliance findings' });
  await expect(gate.locator('[data-code="AUTH_EXPIRED"][data-severity="block"]')).toContainText('expired');
  await expect(gate.locator('[data-code="AUTH_STATEMENT_REDISCLOSURE"][data-severity="block"]')).toContainText('redisclose');
  await expect(page.getByTestId('send-blocker')).toContainText('2 findings block this release');
  await expect(page.getByRole('button', { name: 'Send encrypted release' })).toBeDisabled();
  await shot(page, 'defective-auth-03-review-blocked');
  await expectNoAxeViolations(page, 'release review (blocked)');
  expect(smtp.received).toHaveLength(0);

  // 4. Fix the authorization from the review's "what to fix" link.
  await page.getByRole('button', { name: /open request Q-/ }).click();
  await form.getByLabel(/\(iii\) The information may be redisclosed/).check();
  await form.getByLabel('Expiration date (inclusive)').fill('2027-12-31');
  await expect(page.getByText(/^Valid: every element and statement/)).toBeVisible();
  await expect(page.getByText(/— valid\./)).toBeVisible();
  await expect(findings).toHaveCount(0);
  // The scanned signed form goes into the vault with the authorization (kept 6 years).
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach signed form (PDF)' }).click();
  await (await chooser).setFiles(FIXTURE_PDF);
  await expect(page.getByText('Signed form on file (kept 6 years, 164.508(b)(6)).')).toBeVisible();
  const authorizationId = (await page.getByTestId('authorization-id').innerText()).trim();
  expect(authorizationId).toMatch(/^[A-Za-z0-9_-]{6,64}$/);
  await shot(page, 'defective-auth-04-authorization-fixed');

  // 5. Back to the release: nothing blocks; send.
  await page.getByRole('button', { name: /^Open release R-/ }).click();
  await expect(page.getByText('Nothing blocks this release')).toBeVisible();
  await shot(page, 'defective-auth-05-review-ready');
  await expectNoAxeViolations(page, 'release review (ready)');
  await page.getByRole('button', { name: 'Send encrypted release' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent' })).toBeVisible({ timeout: 60_000 });
  expect(smtp.received).toHaveLength(1);
  const msg = smtp.received[0]!;
  expect(msg.secure).toBe(true);
  expect(msg.rcptTo).toEqual([RECIPIENT]);
  const raw = msg.raw.toString('utf8');
  expect(raw).not.toContain('Zyxwv');
  const armored = raw.slice(raw.indexOf('-----BEGIN PGP MESSAGE-----'), raw.indexOf('-----END PGP MESSAGE-----') + 25);
  const settings = await hostCall<{ practicePublicKeyArmored: string; practiceKey: { fingerprint: string } }>(host, 'settings.get', {});
  gpg.importKey(settings.practicePublicKeyArmored);
  const out = gpg.decrypt(armored);
  expect(out.exitCode).toBe(0);
  expect(out.status.some((l) => l.startsWith('VALIDSIG ') && l.includes(settings.practiceKey.fingerprint))).toBe(true);
  const inner = await simpleParser(out.stdout);
  const pdfs = inner.attachments.filter((a) => a.contentType === 'application/pdf');
  expect(pdfs).toHaveLength(1);
  expect(Buffer.compare(pdfs[0]!.content, readFileSync(FIXTURE_PDF))).toBe(0);
  await shot(page, 'defective-auth-06-sent');

  // 6. The audit screen shows the disclosure's basis and the authorization it relied on.
  await page.getByRole('button', { name: 'Open audit log' }).click();
  const row = page.getByRole('table', { name: 'Transmissions' }).getByRole('row').nth(1);
  await expect(row).toContainText(RECIPIENT);
  await expect(row.getByTestId('basis-cell')).toContainText('Authorization');
  // Named by its request's reference in words, never by its internal id.
  await expect(row.getByTestId('basis-cell')).toContainText(/Under the authorization on file for request Q-\d{4}-\d{5}/);
  await expect(row.getByTestId('basis-cell')).not.toContainText(authorizationId);
  await shot(page, 'defective-auth-07-audit');
  await expectNoAxeViolations(page, 'audit');

  // 7. The requests list: the request is sent; no clock for an authorization-based disclosure.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Requests' }).click();
  const reqRow = page.getByRole('table', { name: 'Requests' }).getByRole('row').nth(1);
  await expect(reqRow).toContainText('Authorization');
  await expect(reqRow.locator('[data-status="sent"]')).toBeVisible();
  await shot(page, 'defective-auth-08-requests');
  await expectNoAxeViolations(page, 'requests list');
});
