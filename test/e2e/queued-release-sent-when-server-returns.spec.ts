/**
 * The outbox in Chromium through the real test host (a fast outbox sender: it looks every half second and
 * retries after 1–3 s): a password-PDF release sent while the mail server is down waits in the outbox — visible
 * on the Send step, in the navigation count and on the Outbox screen — and is delivered by itself, once, when the
 * server comes back on its port. A release the server refused (a permanent failure) is reopened from the Releases
 * list and "Try again" sends it with its own method and stored message. Axe on the Outbox screen.
 */
import type { Page } from '@playwright/test';
import { chooseRecipientWithoutKey, expect, expectNoAxeViolations, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';
import { startSmtpServer, type RunningSmtpServer } from '../support/smtp';
import { requireTool } from '../support/tools';

const RECIPIENT = 'qwfp.recipient@example.test';
const QUEUE = { tickMs: 500, retry: { baseMs: 1000, maxMs: 3000, maxAttempts: 100 } };

/** A button of the main navigation. */
const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });

/** Request → ready → release with the fixture → a recipient without a key → password PDF → review. */
async function passwordPdfRelease(page: Page): Promise<void> {
  await nav(page, 'Requests').click();
  await recordRequest(page, { recipientDestination: RECIPIENT });
  await verifyAndMarkReady(page);
  await startReleaseWithFixture(page);
  await chooseRecipientWithoutKey(page, RECIPIENT);
  await expect(page.getByText('Nothing blocks this release')).toBeVisible();
}

test('a release queued while the mail server is down is sent by itself once it is back; a failed one retries with its method', async ({ page, app }) => {
  test.info().skip(!requireTool('openssl') || !requireTool('qpdf'), 'openssl and qpdf are required');
  test.setTimeout(300_000);
  let { smtp }: { smtp: RunningSmtpServer } = await app.open({ queue: QUEUE });
  const port = smtp.port;
  try {

    // 1. The mail server goes away; the release is prepared and waits in the outbox.
    await smtp.close();
    await passwordPdfRelease(page);
    await page.getByRole('button', { name: 'Send password-protected PDF' }).click();
    const queued = page.getByTestId('release-queued');
    await expect(queued).toBeVisible({ timeout: 60_000 });
    await expect(queued).toContainText('sends it by itself');
    await expect(queued).toContainText('could not be reached');
    // The passphrase is shown at once (the recipient needs it whenever the message arrives) and kept until given.
    const passphrase = (await page.getByTestId('one-time-passphrase').innerText()).trim();
    expect(passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    await expect(page.getByTestId('outbox-count')).toHaveText('1');
    await shot(page, 'outbox-01-send-step-queued');

    await nav(page, /^Outbox/).click();
    const table = page.getByTestId('outbox-table');
    const row = table.locator('tr[data-status]');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-status', 'queued');
    await expect(row).toContainText('Waiting to send');
    await expect(row).toContainText('Password-protected PDF');
    await expect(row).toContainText(/tr(y|ies) so far/);
    await shot(page, 'outbox-02-waiting');
    await expectNoAxeViolations(page, 'outbox');

    // 2. The server comes back on its port: the outbox delivers by itself, once, with the same passphrase.
    smtp = await startSmtpServer({ starttls: true, port });
    await expect(page.getByText('The outbox is empty')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('outbox-count')).toHaveCount(0);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.secure).toBe(true);
    expect(smtp.received[0]!.raw.toString('utf8')).not.toContain(passphrase);
    await shot(page, 'outbox-03-delivered');
    await nav(page, 'Releases').click();
    await expect(page.getByRole('table', { name: 'Releases' }).getByRole('row').nth(1)).toContainText('Sent');

    // 3. A permanent refusal: the server refuses the recipient. The release is failed, not retried by itself.
    await smtp.close();
    smtp = await startSmtpServer({ starttls: true, port, rejectRecipients: [RECIPIENT] });
    await passwordPdfRelease(page);
    await page.getByRole('button', { name: 'Send password-protected PDF' }).click();
    const notSent = page.getByRole('alert').filter({ hasText: 'Not sent' });
    await expect(notSent).toBeVisible({ timeout: 60_000 });
    await expect(notSent).toHaveAttribute('data-code', 'SMTP_REJECTED');
    expect(smtp.received).toHaveLength(0);
    await shot(page, 'outbox-04-refused');

    // 4. The recipient's server accepts again. Reopened from the Releases list, "Try again" sends with its own method.
    await smtp.close();
    smtp = await startSmtpServer({ starttls: true, port });
    await nav(page, 'Releases').click();
    const failedRow = page.getByRole('table', { name: 'Releases' }).getByRole('row').filter({ hasText: 'Not sent — needs attention' });
    await expect(failedRow).toHaveCount(1);
    await failedRow.getByRole('button', { name: /^Continue release R-/ }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Not sent' })).toBeVisible();
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByTestId('sent-method')).toHaveText('Password-protected PDF', { timeout: 60_000 });
    expect(smtp.received).toHaveLength(1);
    await shot(page, 'outbox-05-retried');
  } finally {
    await smtp.close();
  }
});
