/**
 * Bounces end to end in Chromium through the real test host: a release sent as a password PDF (real SMTP test
 * server), a delivery status notification for it put into a real Dovecot mailbox (IMAP over TLS), the bounce
 * mailbox set up and checked from Settings; the Outbox shows the release as bounced with its reason in plain
 * words; from the release, staff make the PHI-free letter for the patient and send the release again as a
 * password-protected PDF in one flow. Axe on the bounced release screen. Synthetic data only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, expectNoAxeViolations, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';
import { deliveryStatusReport, headersOf } from '../support/bounce-messages';
import { IMAP_PASSWORD, IMAP_USER, startDovecot } from '../support/dovecot';
import { requireTool } from '../support/tools';

const RECIPIENT = 'qwfp.recipient@example.test';

async function sendPasswordPdf(page: Page): Promise<void> {
  await page.locator('#recipient-name').fill('Qwfp Recipient');
  await page.locator('#recipient-email').fill(RECIPIENT);
  await page.getByRole('switch', { name: 'The recipient has an OpenPGP key' }).uncheck();
  await page.getByRole('button', { name: 'Save recipient' }).click();
  await expect(page.getByRole('radio', { name: 'Password-protected PDF by email' })).toBeChecked();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await page.getByRole('button', { name: 'Send password-protected PDF' }).click();
  const panel = page.getByTestId('one-time-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await panel.getByRole('checkbox', { name: /I gave the passphrase/ }).check();
  await panel.getByRole('button', { name: 'Done' }).click();
}

function bounceFor(envid: string, headers: string): Buffer {
  return deliveryStatusReport({ envid, rcpt: RECIPIENT, boundary: 'E2EBOUNCE', text: { lines: [`<${RECIPIENT}>: 550 5.1.1 User unknown`] }, returnedHeaders: headers });
}

test('a bounced release shows with its reason; staff make the patient letter and send it again as a password PDF', async ({ page, app }) => {
  test.setTimeout(300_000);
  test.info().skip(!['openssl', 'qpdf', 'dovecot'].every((t) => requireTool(t)), 'openssl, qpdf and dovecot are required');
  const imap = await startDovecot();
  try {
    const { smtp, exportDir } = await app.open({ exportDir: true });
    await recordRequest(page, { recipientDestination: RECIPIENT });
    await verifyAndMarkReady(page);
    await startReleaseWithFixture(page);
    await sendPasswordPdf(page);

    // The recipient's server returns it: a DSN for what our server received lands in the bounce mailbox.
    const got = smtp.received.at(-1)!;
    imap.deliver(bounceFor(got.dsn.envid!, headersOf(got.raw)));

    // Settings → Bounce mailbox: save, test, check now.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    await page.locator('#bounce-host').fill(imap.host);
    await page.locator('#bounce-port').fill(String(imap.port));
    await page.locator('#bounce-user').fill(IMAP_USER);
    await page.locator('#bounce-password').fill(IMAP_PASSWORD);
    await page.getByRole('button', { name: 'Save bounce mailbox' }).click();
    await expect(page.getByText('Bounce mailbox saved.')).toBeVisible();
    await page.getByRole('button', { name: 'Test mailbox connection' }).click();
    await expect(page.getByText(/Connection works: signed in over TLSv1\.[23]/)).toBeVisible();
    await page.getByRole('button', { name: 'Check for bounces now' }).click();
    await expect(page.getByTestId('bounce-check')).toContainText('1 returned release');
    await shot(page, 'bounces-01-settings-checked');

    // The Outbox: bounced, with the reason in plain words.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Outbox/ }).click();
    const table = page.getByTestId('outbox-table');
    await expect(table).toContainText('Bounced — not delivered');
    await expect(table).toContainText("The recipient's email address does not exist.");
    await shot(page, 'bounces-02-outbox');
    await table.getByRole('button', { name: 'Letter and send again' }).click();

    // The release: what happened and what to do; the letter; send again as a password PDF.
    const alert = page.getByTestId('release-bounced');
    await expect(alert).toContainText('does not exist');
    await shot(page, 'bounces-03-release-bounced');
    await expectNoAxeViolations(page, 'bounced release');
    await page.getByRole('button', { name: 'Make a letter for the patient' }).click();
    await expect(page.getByTestId('failure-notice')).toContainText('The letter was saved');
    const letters = readdirSync(exportDir).filter((f) => f.startsWith('delivery-notice-'));
    expect(letters).toHaveLength(1);
    const letter = readFileSync(join(exportDir, letters[0]!));
    for (const phi of ['Zyxwv', 'Testpatient', '1970-01-02', 'MRN-TEST-1', RECIPIENT]) expect(letter.includes(Buffer.from(phi))).toBe(false);
    await page.getByRole('button', { name: 'Send again as a password-protected PDF' }).click();
    await expect(page.getByTestId('one-time-panel')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('sent-method')).toHaveText('Password-protected PDF');
    await shot(page, 'bounces-04-sent-again');
    expect(smtp.received).toHaveLength(2);
  } finally {
    await imap.stop();
  }
});
