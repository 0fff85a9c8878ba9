/**
 * End to end in Chromium: on the Records step a combined record file gets a second category ("Also contains"); a
 * further category the request asks for keeps it in scope, one it does not ask for puts it out of scope with the
 * reason named, and removing it brings the file back. Axe on the Records step with the second category shown.
 */
import { expect, expectNoAxeViolations, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';

test('a combined record file carries more than one category, and each is checked against the request', async ({ page, app }) => {
  test.setTimeout(240_000);
  await app.open({ smtp: false });
  await recordRequest(page, { categories: ['Visit notes', 'Lab results'] });
  await verifyAndMarkReady(page);
  await startReleaseWithFixture(page);
  // startReleaseWithFixture moved on to the Recipient step: back to the records.
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  const table = page.getByRole('table', { name: 'Documents in this release' });
  await expect(table.getByText('In scope — selected')).toBeVisible();

  const also = page.getByRole('combobox', { name: 'Other categories in synthetic-record.pdf' });
  const options = page.getByRole('listbox', { name: 'Other categories in synthetic-record.pdf' });
  await also.click();
  await options.getByRole('option', { name: 'Lab results', exact: true }).click();
  await page.keyboard.press('Escape');
  await expect(table.getByText('In scope — selected')).toBeVisible();
  await shot(page, 'combined-01-two-categories');
  await expectNoAxeViolations(page, 'records: combined file');

  await also.click({ force: true }); // with a value shown, the field sits under the pills' box
  await options.getByRole('option', { name: 'Imaging reports', exact: true }).click();
  await page.keyboard.press('Escape');
  await expect(table).toContainText('“Imaging reports” is not a category the request asks for.');
  await shot(page, 'combined-02-out-of-scope');
  // Backspace in the field takes the last category off again.
  await also.focus();
  await also.press('Backspace');
  await expect(table.getByText('In scope — selected')).toBeVisible();
  await expect(table).not.toContainText('is not a category the request asks for');
});
