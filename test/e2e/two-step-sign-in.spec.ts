/**
 * End to end: two-step sign-in. The administrator turns it on under Settings → Your account (QR code
 * drawn in the renderer from the otpauth:// URI, the key to type by hand, a code from the "app"), sees the ten
 * recovery codes once, and from then on unlocking is refused without a code; a recovery code opens it once.
 */
import { Secret, TOTP } from 'otpauth';
import { expect, expectNoAxeViolations, PASSPHRASE, shot, test, hostResult } from './fixtures';

test('two-step sign-in: QR enrollment, unlock refused without a code, a recovery code works once', async ({ page, app }) => {
  await app.open();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  const qr = page.getByRole('img', { name: /QR code to add ReleaseDesk/ });
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  const secret = (await page.getByTestId('mfa-secret').innerText()).trim();
  const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
  await shot(page, 'two-step-06-mfa-qr');
  await expectNoAxeViolations(page, 'MFA enrollment');
  await page.locator('#mfa-code').fill(code);
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  const codes = page.getByTestId('recovery-codes');
  await expect(codes).toBeVisible();
  const recovery = (await codes.getByRole('listitem').allInnerTexts()).map((t) => t.trim());
  expect(recovery).toHaveLength(10);
  await shot(page, 'two-step-07-recovery-codes');
  await page.getByRole('button', { name: 'I have kept them' }).click();
  await expect(page.getByText('Two-step sign-in is')).toContainText('on');

  await page.getByRole('button', { name: 'Lock ReleaseDesk' }).click();
  await expect(page.locator('#unlock-username')).toHaveValue('Jordan Frontdesk'); // the last user, prefilled
  await page.locator('#unlock-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.locator('#unlock-code')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeVisible();
  await shot(page, 'two-step-08-unlock-asks-code');
  await expectNoAxeViolations(page, 'unlock asks for the code');
  await page.locator('#unlock-code').fill(recovery[0]!);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeHidden({ timeout: 30_000 });

  await page.getByRole('button', { name: 'Lock ReleaseDesk' }).click();
  await page.locator('#unlock-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.locator('#unlock-code')).toBeVisible({ timeout: 30_000 });
  await page.locator('#unlock-code').fill(recovery[0]!);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('That code is not valid or was already used')).toBeVisible({ timeout: 30_000 });
});

/**
 * The practice requires two-step sign-in: a front-desk account without it is taken, right after unlock, to the
 * enrollment screen and nowhere else (main refuses other channels with MFA_ENROLLMENT_REQUIRED); after enrolling, the
 * app opens with what front desk may use. Before that, the administrator changes that person's role in Settings →
 * Staff accounts (privacy officer → front desk, audited) and cannot change their own.
 */
test('required two-step sign-in: forced enrollment at unlock, then the front-desk view; role changed by the administrator', async ({ page, app }) => {
  test.setTimeout(180_000);
  const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };
  const { host } = await app.open();
  const main = page.getByRole('navigation', { name: 'Main' });
  await main.getByRole('button', { name: 'Settings' }).click();

  // The administrator adds Dana as privacy officer, then makes her front desk; their own role has no control.
  const form = page.getByRole('form', { name: 'Add a staff account' });
  await form.locator('#add-user-name').fill(DANA.name);
  await form.locator('#add-user-role').click();
  await page.getByRole('option', { name: 'Privacy officer', exact: true }).click();
  await form.locator('#add-user-passphrase').fill(DANA.pass);
  await form.locator('#add-user-confirm').fill(DANA.pass);
  await form.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${DANA.name} was added` })).toBeVisible({ timeout: 30_000 });
  const accounts = page.getByRole('table', { name: 'Staff accounts' });
  await expect(accounts.getByLabel('Role of Jordan Frontdesk')).toHaveCount(0);
  await expect(accounts).toContainText('Administrator (you)');
  await accounts.getByLabel(`Role of ${DANA.name}`).click();
  await page.getByRole('option', { name: 'Front desk', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `${DANA.name} is now front desk` })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('switch', { name: /Require two-step sign-in/ }).check();
  await expect(page.getByRole('status').filter({ hasText: 'Security settings saved.' })).toBeVisible();
  await shot(page, 'two-step-09-role-changed-mfa-required');
  await expectNoAxeViolations(page, 'staff accounts with a role changed');

  // Dana signs in: the enrollment screen, nothing else; main refuses everything else, coded.
  await page.getByRole('button', { name: 'Lock ReleaseDesk' }).click();
  await page.locator('#unlock-username').fill(DANA.name);
  await page.locator('#unlock-passphrase').fill(DANA.pass);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Set up two-step sign-in' })).toBeVisible({ timeout: 30_000 });
  await expect(main).toHaveCount(0);
  const refused = await hostResult(host, 'requests.list', {});
  expect(refused).toMatchObject({ ok: false, error: { code: 'MFA_ENROLLMENT_REQUIRED' } });
  await shot(page, 'two-step-10-forced-enrollment');
  await expectNoAxeViolations(page, 'forced enrollment');
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  const secret = (await page.getByTestId('mfa-secret').innerText()).trim();
  await page.locator('#mfa-code').fill(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate());
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  await expect(page.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
  await expect(main).toHaveCount(0);
  await page.getByRole('button', { name: 'I have kept them' }).click();

  // The front-desk view: no audit log, no staff accounts, retention or practice certificate; main agrees.
  await expect(main).toBeVisible({ timeout: 30_000 });
  await expect(main.getByRole('button', { name: 'Audit log' })).toHaveCount(0);
  await main.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByText('Signed in as')).toContainText(DANA.name);
  await expect(page.getByText('Practice OpenPGP key')).toBeVisible();
  for (const hidden of ['Staff accounts', 'Retention policy', 'Practice S/MIME certificate', 'Outgoing email server (SMTP)']) await expect(page.getByText(hidden, { exact: true })).toHaveCount(0);
  await shot(page, 'two-step-11-front-desk-settings');
  await expectNoAxeViolations(page, 'front-desk settings');
  expect(await hostResult(host, 'requests.list', {})).toMatchObject({ ok: true });
  for (const channel of ['accounts.list', 'retention.purge', 'settings.createSmimeCertificate', 'audit.verifyChain'])
    expect(await hostResult(host, channel, {}), channel).toMatchObject({ ok: false, error: { code: 'ROLE_NOT_PERMITTED' } });
});

