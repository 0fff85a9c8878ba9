/**
 * End to end: two-step sign-in. The administrator turns it on under Settings → Your account (QR code
 * drawn in the renderer from the otpauth:// URI, the key to type by hand, a code from the "app"), sees the ten
 * recovery codes once, and from then on unlocking is refused without a code; a recovery code opens it once.
 */
import { Secret, TOTP } from 'otpauth';
import { expect, expectNoAxeViolations, PASSPHRASE, shot, test } from './fixtures';

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
