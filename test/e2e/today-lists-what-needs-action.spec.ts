/**
 * The compliance dashboard ("Today") in Chromium through the real test host: an overdue right-of-access request
 * (received 40 days ago), a release the mail server refused (a permanent failure, through the real send path) and an
 * authorization that expires in 10 days are each listed with a link to where they are fixed; each link is followed
 * and its destination asserted. The dashboard is the home screen after unlock. Axe on the dashboard.
 *
 * The requests are seeded through the API the test host exposes (`window.api`, the same dispatch as Electron's IPC);
 * the failed release goes through the UI. Time is moved the way access-request-clock.spec.ts does: a received date in
 * the past. Synthetic data only.
 */
import type { Page } from '@playwright/test';
import { callApi as api, chooseRecipientWithoutKey, expect, expectNoAxeViolations, PASSPHRASE, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';
import { requireTool } from '../support/tools';

const RECIPIENT = 'qwfp.refused@example.test';
const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });

/** `YYYY-MM-DD` in this computer's time zone, `days` from now (the host runs on the same computer). */
function day(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function intake(name: string, mrn: string, basis: 'right_of_access' | 'authorization', receivedDaysAgo: number) {
  return {
    patient: { name, dateOfBirth: '1975-03-04', mrn },
    basis,
    receivedAt: new Date(Date.now() - receivedDaysAgo * 86_400_000).toISOString(),
    requester: basis === 'authorization' ? { role: 'third_party', name: 'Qwerty Insurance Co' } : { role: 'patient', name },
    recipients: [{ name: basis === 'authorization' ? 'Abcde Lawfirm Intake' : name, destination: 'zyxwv.seeded@example.test' }],
    scope: { categories: ['visit_notes'], from: '2025-01-01', to: '2025-12-31' },
    form: { format: 'pdf', electronic: true },
  };
}

test('Today lists an overdue request, a failed release and an authorization expiring within 30 days, each linking to where it is fixed; axe clean', async ({ page, app }) => {
  test.info().skip(!requireTool('openssl') || !requireTool('qpdf'), 'openssl and qpdf are required');
  test.setTimeout(240_000);
  await app.open({ smtp: { starttls: true, rejectRecipients: [RECIPIENT] } });

  // 1. Seeds through the host's API: a right-of-access request received 40 days ago (overdue by 10 days) and a
  //    third-party request whose authorization expires in 10 days.
  const overdue = await api<{ id: string; reference: string }>(page, 'requests.create', intake('Zyxwv Overduepatient', 'MRN-TEST-OD', 'right_of_access', 40));
  const authReq = await api<{ id: string; reference: string }>(page, 'requests.create', intake('Zyxwv Authpatient', 'MRN-TEST-AU', 'authorization', 2));
  const expiresOn = day(10);
  await api(page, 'authorizations.save', {
    requestId: authReq.id,
    authorization: {
      informationDescription: 'Visit notes from 2025',
      categories: ['visit_notes'],
      from: '2025-01-01',
      to: '2025-12-31',
      disclosers: ['Lakeside Test Clinic'],
      recipients: ['Abcde Lawfirm Intake'],
      purposes: ['Legal claim'],
      expiration: { date: expiresOn },
      signature: { signed: true, date: day(-3), signerRole: 'patient' },
      statements: { rightToRevoke: true, conditioning: true, redisclosure: true },
      combinedWith: [],
      conditionsTreatment: false,
      knownFalse: false,
      copyGivenToIndividual: true,
    },
  });

  // 2. A release the mail server refuses (550 at RCPT TO): failed, through the real send path.
  await nav(page, 'Requests').click();
  await recordRequest(page, { recipientDestination: RECIPIENT });
  await verifyAndMarkReady(page);
  await startReleaseWithFixture(page);
  await chooseRecipientWithoutKey(page, RECIPIENT);
  await page.getByRole('button', { name: 'Send password-protected PDF' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not sent' })).toBeVisible({ timeout: 60_000 });
  const releaseRef = ((await page.getByRole('heading', { level: 1, name: /^Release R-/ }).innerText()).match(/R-\d{4}-\d{5}/) ?? [''])[0];
  expect(releaseRef).toMatch(/^R-\d{4}-\d{5}$/);

  // 3. Lock and unlock: the dashboard is the home screen.
  await page.getByRole('button', { name: 'Lock ReleaseDesk' }).click();
  await page.locator('#unlock-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  const today = page.getByRole('heading', { level: 1, name: 'Today' });
  await expect(today).toBeVisible({ timeout: 30_000 });
  await expect(today).toBeFocused();
  await expect(nav(page, 'Today')).toHaveAttribute('aria-current', 'page');

  const requests = page.getByTestId('dash-requests');
  const releases = page.getByTestId('dash-releases');
  const expiring = page.getByTestId('dash-expiring');
  await expect(requests.locator('[data-kind="request_overdue"]')).toHaveCount(1);
  await expect(requests).toContainText(`Request ${overdue.reference} is overdue`);
  await expect(requests).toContainText('10 days ago');
  await expect(releases.locator('[data-kind="release_failed"]')).toHaveCount(1);
  await expect(releases).toContainText(`Release ${releaseRef} failed`);
  await expect(expiring.locator('[data-kind="authorization_expiring"]')).toHaveCount(1);
  await expect(expiring).toContainText(`The authorization for request ${authReq.reference} expires on ${expiresOn}`);
  await expect(expiring).toContainText('10 days left');
  await expect(page.getByTestId('count-overdue')).toHaveText('1');
  await expect(page.getByTestId('count-releases')).toHaveText('1');
  await expect(page.getByTestId('count-authorizations')).toHaveText('1');
  // PHI-free: no patient names on the dashboard.
  await expect(page.getByRole('main')).not.toContainText('Zyxwv');
  await expect(page.getByTestId('dash-chain')).toContainText('The audit log verifies');
  await shot(page, 'dashboard-01-today');
  await expectNoAxeViolations(page, 'dashboard');

  // 4. Each link leads to where the item is fixed.
  await requests.getByRole('button', { name: `Open request ${overdue.reference}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Request ${overdue.reference}` })).toBeVisible();
  await expect(page.getByTestId('days-left')).toHaveText('10 days overdue');
  await shot(page, 'dashboard-02-overdue-request');

  await nav(page, 'Today').click();
  await releases.getByRole('button', { name: `Open release ${releaseRef}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`^Release ${releaseRef}`) })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Not sent' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await shot(page, 'dashboard-03-failed-release');

  await nav(page, 'Today').click();
  await expiring.getByRole('button', { name: `Open request ${authReq.reference}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Request ${authReq.reference}` })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('Abcde Lawfirm Intake');
  await shot(page, 'dashboard-04-authorization-request');
});
