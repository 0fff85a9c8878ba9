/**
 * End to end in Chromium through the real test host and the real smtp-server (STARTTLS): on the Recipient step an
 * address the request does not name is confirmed by the code round trip — "Send a confirmation code", a wrong code
 * refused, the code the patient reads back accepted, "Confirmed on <date> by code" — and the recipient is saved
 * without the read-back checkbox. The code email names no patient. Axe on each state.
 */
import { simpleParser } from 'mailparser';
import { expect, expectNoAxeViolations, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';

const REQUESTED = 'qwfp.recipient@example.test';
const NEW_ADDRESS = 'qwfp.home@mailbox.example.test';

test('an address the request does not name is confirmed by a code the patient reads back', async ({ page, app }) => {
  test.setTimeout(240_000);
  const { smtp } = await app.open();
  await recordRequest(page, { recipientDestination: REQUESTED });
  await verifyAndMarkReady(page);
  await startReleaseWithFixture(page);

  await page.locator('#recipient-name').fill('Qwfp Recipient');
  await page.locator('#recipient-email').fill(NEW_ADDRESS);
  await page.locator('#recipient-email-confirm').fill(NEW_ADDRESS);
  await expect(page.getByText('Not the address the request names')).toBeVisible();
  const panel = page.getByRole('region', { name: 'Confirm the address with a code (optional)' });
  await expect(panel).toContainText('The email says nothing about the patient or the records.');
  await shot(page, 'address-confirm-01-offer');
  await expectNoAxeViolations(page, 'recipient: confirmation offered');

  await panel.getByRole('button', { name: 'Send a confirmation code' }).click();
  await expect(panel.getByTestId('code-pending')).toContainText('A code was sent on');
  await expect(page.locator('#address-code')).toBeFocused();
  expect(smtp.received).toHaveLength(1);
  const msg = smtp.received[0]!;
  expect(msg.secure).toBe(true);
  expect(msg.rcptTo).toEqual([NEW_ADDRESS]);
  const mail = await simpleParser(msg.raw);
  expect(`${mail.subject}\n${mail.text}`).not.toMatch(/Zyxwv|Testpatient|MRN-TEST-1|1970|R-20\d\d|Q-20\d\d/);
  const code = /confirmation code is: (\d{3}) (\d{3})/.exec(mail.text ?? '')!.slice(1).join('');

  // A wrong code is refused and says how many tries are left.
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await page.locator('#address-code').fill(wrong);
  await page.getByRole('button', { name: 'Confirm the address' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'That is not the code that was sent' })).toContainText('4 tries left');
  await shot(page, 'address-confirm-02-wrong-code');
  await expectNoAxeViolations(page, 'recipient: wrong code');

  // The code the patient reads back (typed with a space, Enter confirms).
  await page.locator('#address-code').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await page.locator('#address-code').press('Enter');
  const confirmed = page.getByTestId('address-confirmed');
  await expect(confirmed).toContainText('Confirmed on');
  await expect(confirmed).toContainText('by code');
  await expect(page.locator('#recipient-address-confirm')).toHaveCount(0);
  await shot(page, 'address-confirm-03-confirmed');
  await expectNoAxeViolations(page, 'recipient: address confirmed');

  await page.getByRole('switch', { name: 'The recipient has an OpenPGP key' }).uncheck();
  await page.getByRole('button', { name: 'Save recipient' }).click();
  await expect(page.getByRole('radiogroup', { name: /How should the records reach the recipient/ })).toBeVisible();
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expect(page.getByTestId('recipient-address-confirmed')).toContainText(/Confirmed on .+ by code \(recorded by Jordan Frontdesk\)/);
  await shot(page, 'address-confirm-04-saved');
  expect(smtp.received).toHaveLength(1);
});
