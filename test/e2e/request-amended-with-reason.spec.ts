/**
 * End to end in Chromium through the real test host: an open request is amended from its screen. Saving needs a
 * reason; the new categories and dates go to main (`requests.amend`) and the request's history then says who changed
 * what and why. Axe on the open amendment form. Synthetic data only.
 */
import { expect, expectNoAxeViolations, recordRequest, shot, test } from './fixtures';

test('an open request is amended with a reason; its history names what changed and why', async ({ page, app }) => {
  await app.open({ smtp: false });
  await recordRequest(page);
  await page.getByRole('button', { name: 'Amend the request…' }).click();
  const form = page.getByRole('form', { name: 'Amend the request' });
  const save = form.getByRole('button', { name: 'Save the amendment' });
  await expect(save).toBeDisabled();
  await form.getByRole('checkbox', { name: 'Lab results', exact: true }).check();
  await form.locator('#amend-from').fill('2025-01-01');
  await form.locator('#amend-reason').fill('The patient called to add lab results from 2025.');
  await expect(save).toBeEnabled();
  await shot(page, 'amend-01-form');
  await expectNoAxeViolations(page, 'request: amend form');
  await save.click();
  await expect(form).toHaveCount(0);
  await expect(page.getByLabel('Amendments')).toContainText('records asked for — The patient called to add lab results from 2025.');
  await expect(page.getByLabel('Amendments')).toContainText('by Jordan Frontdesk');
  await shot(page, 'amend-02-history');
});
