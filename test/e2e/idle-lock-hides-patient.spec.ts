/**
 * Idle lock in the browser preview (45 CFR 164.312(a)(2)(iii) automatic logoff), with
 * Playwright's clock: staff set the idle time to 2 minutes in Settings; with a patient's request on screen, mouse
 * activity restarts the count; after 2 minutes without activity the patient's name is gone from the DOM, the unlock
 * screen says "Locked after 2 minutes without activity", main reports the vault locked, and unlocking brings the
 * work back.
 */
import { expect, expectNoAxeViolations, PASSPHRASE, recordRequest, shot, test } from './fixtures';

const NAME = 'Zyxwv Testpatient';

test('after the idle time with a patient on screen, the name leaves the DOM and the unlock screen says why', async ({ page, app }) => {
  test.setTimeout(240_000);
  // A controllable clock that runs normally until fast-forwarded (installed before the app loads).
  await page.clock.install();
  await app.open({ smtp: false });

  // Settings → Automatic lock: 5 minutes by default, set to 2.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  const minutes = page.getByLabel('Lock after this many minutes without activity');
  await expect(minutes).toHaveValue('5');
  await minutes.fill('2');
  await page.getByRole('button', { name: 'Save lock time' }).click();
  await expect(page.getByText('Automatic lock time saved')).toBeVisible();
  await shot(page, 'idle-lock-01-settings');
  await expectNoAxeViolations(page, 'settings with the automatic lock time');

  // A patient on screen: the request just recorded.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Requests' }).click();
  await recordRequest(page);
  const name = page.getByText(NAME).first();
  await expect(name).toBeVisible();

  // 1:40 idle, then the mouse moves: the count starts again.
  await page.clock.fastForward('01:40');
  await expect(name).toBeVisible();
  await page.mouse.move(300, 300);
  await page.mouse.move(340, 320);
  await page.clock.fastForward('01:40');
  await expect(name).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toHaveCount(0);

  // Past 2 minutes without activity: locked.
  await page.clock.fastForward('00:30');
  await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeVisible();
  await expect(page.getByTestId('lock-notice')).toContainText('Locked after 2 minutes without activity');
  await expect(page.getByText('Testpatient')).toHaveCount(0);
  expect(await page.content()).not.toContain('Testpatient');
  // Main closed the vault (not only the screen).
  const info = await page.evaluate(async () => ({ ok: true, value: await window.api['app.info']({}) }));
  expect(info).toMatchObject({ ok: true, value: { vault: 'locked' } });
  await shot(page, 'idle-lock-02-locked');
  await expectNoAxeViolations(page, 'unlock screen after the idle lock');

  // Unlocking brings the saved work back; the notice is gone.
  await page.locator('#unlock-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  // Home after unlock is Today (PHI-free); the saved request is one click away.
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Requests' }).click();
  await expect(page.getByRole('heading', { name: 'Requests', exact: true })).toBeVisible();
  await expect(page.getByText(NAME).first()).toBeVisible();
  await expect(page.getByTestId('lock-notice')).toHaveCount(0);
});
