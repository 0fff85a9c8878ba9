/**
 * The 30-day clock of the right of access in the UI. An overdue right-of-access request is
 * flagged (a warning, never a block) and sorts first by due date; its extension
 * is refused on day 31+ and the refusal is shown; a fresh request is extended
 * once, and the written notice is offered. Axe scans the requests list with its
 * badges, the intake with the personal-representative and patient-directed
 * fields, and the request screen.
 */
import { expect, expectNoAxeViolations, shot, test } from './fixtures';

/** `YYYY-MM-DDTHH:mm` (local time, for datetime-local) and `YYYY-MM-DD`, `days` from now. */
function local(days: number): { dateTime: string; date: string } {
  const d = new Date(Date.now() + days * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return { dateTime: `${date}T10:00`, date };
}

test('the 30-day clock: overdue flagged and sorted first, extension refused after day 30, granted once with its notice', async ({ page, app }) => {
  await app.open({ smtp: false }); // no mail is sent in this test

  const intake = async (name: string, mrn: string, receivedDaysAgo: number, extra?: () => Promise<void>, language?: 'es') => {
    await page.getByRole('button', { name: 'New request' }).click();
    await page.locator('#patient-name').fill(name);
    await page.locator('#patient-dob').fill('1980-05-06');
    await page.locator('#patient-mrn').fill(mrn);
    if (language) await page.locator('#patient-language').selectOption(language);
    await page.locator('#request-received').fill(local(-receivedDaysAgo).dateTime);
    if (extra) await extra();
    else await page.locator('#requester-name').fill(name);
    await page.locator('#recipient-0-name').fill(name);
    await page.locator('#recipient-0-destination').fill('zyxwv.patient@example.test');
    await page.locator('#recipient-0-destination-confirm').fill('zyxwv.patient@example.test');
    await page.getByRole('checkbox', { name: 'Lab results', exact: true }).check();
    await page.getByRole('button', { name: 'Record request' }).click();
    await expect(page.getByRole('heading', { name: /^Request Q-/ })).toBeVisible();
  };

  // 1. Received 40 days ago, by a personal representative: overdue by 10 days.
  await intake('Zyxwv Olderpatient', 'MRN-TEST-40', 40, async () => {
    await page.locator('#requester-role').selectOption('personal_representative');
    await page.locator('#requester-name').fill('Qwfp Guardian');
    await page.locator('#requester-authority').fill('Court-appointed guardian');
    await shot(page, 'c-01-intake-representative');
    await expectNoAxeViolations(page, 'request intake (personal representative)');
  });
  await expect(page.getByTestId('days-left')).toHaveText('10 days overdue');
  await expect(page.getByText('Overdue — still owed')).toBeVisible();
  await page.getByRole('button', { name: 'Extend by up to 30 days' }).click();
  await page.locator('#extend-reason').fill('Records are archived off site');
  await page.locator('#extend-date').fill(local(15).date);
  await page.getByRole('button', { name: 'Extend and make the notice' }).click();
  const refusal = page.locator('[role="alert"][data-code="EXTENSION_REFUSED"]');
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText('The extension was not granted');
  await expect(refusal).toContainText(/30 days|day 30/);
  await shot(page, 'c-02-extension-refused');
  await expectNoAxeViolations(page, 'request detail (overdue, extension refused)');

  // 2. Received 3 days ago, the patient asked for letters in Spanish: extended once; the notice (in Spanish) is offered; no second extension.
  await page.getByRole('button', { name: 'Back to requests' }).click();
  await intake('Zyxwv Newerpatient', 'MRN-TEST-03', 3, undefined, 'es');
  await expect(page.getByTestId('days-left')).toHaveText('27 days left');
  await expect(page.getByText('Language for letters')).toBeVisible();
  await expect(page.getByText('Spanish (Español)')).toBeVisible();
  await page.getByRole('button', { name: 'Extend by up to 30 days' }).click();
  await expect(page.getByTestId('notice-language')).toContainText('The notice is written in Spanish (Español), the language recorded at intake.');
  await page.locator('#extend-reason').fill('Records are archived off site');
  await page.locator('#extend-date').fill(local(40).date);
  await page.getByRole('button', { name: 'Extend and make the notice' }).click();
  await expect(page.getByText(/^Extended on .* to /)).toBeVisible();
  await expect(page.getByTestId('days-left')).toHaveText('40 days left');
  await expect(page.getByText(/Written extension notice: extension-notice-Q-\d{4}-\d{5}\.pdf \(1 page\)/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Extend by up to 30 days' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Save notice PDF…' }).click();
  // The browser preview has no save dialog: the coded refusal says so (the desktop app saves the file).
  await expect(page.locator('[role="alert"][data-code="EXPORT_UNAVAILABLE"]')).toBeVisible();
  await shot(page, 'c-03-extended');

  // 3. The list: the overdue request first by due date, with its badge; sorting toggles aria-sort.
  await page.getByRole('button', { name: 'Back to requests' }).click();
  const rows = page.getByRole('table', { name: 'Requests' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText('Zyxwv Olderpatient');
  await expect(rows.nth(1)).toContainText('Overdue');
  await expect(rows.nth(2)).toContainText('Extended');
  const due = page.getByRole('columnheader', { name: /Due date/ });
  await expect(due).toHaveAttribute('aria-sort', 'ascending');
  await due.getByRole('button').click();
  await expect(due).toHaveAttribute('aria-sort', 'descending');
  await expect(rows.nth(1)).toContainText('Zyxwv Newerpatient');
  await shot(page, 'c-04-requests-sorted');
  await expectNoAxeViolations(page, 'requests list (badges)');

  // 4. Intake with the patient-directed checks visible passes axe too.
  await page.getByRole('button', { name: 'New request' }).click();
  await page.locator('#request-basis').selectOption('patient_directed');
  await expect(page.getByText('The patient’s direction (45 CFR 164.524(c)(3)(ii))')).toBeVisible();
  await shot(page, 'c-05-intake-patient-directed');
  await expectNoAxeViolations(page, 'request intake (patient-directed)');
});
