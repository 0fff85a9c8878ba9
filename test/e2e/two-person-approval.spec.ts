/**
 * End to end: staff accounts and the two-person rule. The administrator made at setup adds a front-desk
 * user and a privacy officer and turns the two-person rule on. The front-desk user signs in with their own name and
 * passphrase and prepares a third-party release under a valid authorization: review says it needs a privacy
 * officer's approval, the Send button stays disabled and the API refuses with APPROVAL_REQUIRED; nothing reaches the
 * mail server. The privacy officer signs in and approves; the front-desk user signs in again and sends it (real
 * STARTTLS smtp-server). The audit log shows both people: the approval by the privacy officer, the send by front desk.
 */
import { expect, fillAuthorization, expectNoAxeViolations, PASSPHRASE, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady, chooseRecipient, hostResult } from './fixtures';
import type { Page } from '@playwright/test';
import { requireTool } from '../support/tools';

const RECIPIENT = 'claims.qwfp@example.test';
const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };
const PAT = { name: 'Pat Privacyofficer', pass: 'walnut prism tundra falcon ember' };

async function lock(page: Page) {
  await page.getByRole('button', { name: 'Lock ReleaseDesk' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeVisible();
}

async function signIn(page: Page, who: { name: string; pass: string }) {
  await page.locator('#unlock-username').fill(who.name);
  await page.locator('#unlock-passphrase').fill(who.pass);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeHidden({ timeout: 30_000 });
}

async function addAccount(page: Page, who: { name: string; pass: string }, role: string) {
  const form = page.getByRole('form', { name: 'Add a staff account' });
  await form.locator('#add-user-name').fill(who.name);
  await form.locator('#add-user-role').click();
  await page.getByRole('option', { name: role, exact: true }).click();
  await form.locator('#add-user-passphrase').fill(who.pass);
  await form.locator('#add-user-confirm').fill(who.pass);
  await form.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${who.name} was added` })).toBeVisible({ timeout: 30_000 });
}

test('a third-party release waits for a privacy officer’s approval; the audit names the preparer and the approver', async ({ page, app, keyring: gpg }) => {
  test.setTimeout(240_000);
  test.info().skip(!requireTool('gpg'), 'gpg is required');
  const recipientFpr = gpg.generateKey({ name: 'Qwfp Insurer Claims', email: RECIPIENT });
  const { host, smtp } = await app.open();

  // 1. The first administrator (made at setup) adds two staff accounts and turns the two-person rule on.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByText('Signed in as')).toContainText('Jordan Frontdesk');
  await addAccount(page, DANA, 'Front desk');
  await addAccount(page, PAT, 'Privacy officer');
  await page.getByRole('switch', { name: /Two-person rule/ }).check();
  await expect(page.getByRole('status').filter({ hasText: 'Security settings saved.' })).toBeVisible();
  const accounts = page.getByRole('table', { name: 'Staff accounts' });
  await expect(accounts).toContainText(DANA.name);
  await expect(accounts).toContainText(PAT.name);
  await shot(page, 'two-person-01-staff-accounts');
  await expectNoAxeViolations(page, 'settings: staff accounts');
  await lock(page);

  // 2. Front desk signs in with their own name; a wrong passphrase for that name is refused.
  await page.locator('#unlock-username').fill(DANA.name);
  await page.locator('#unlock-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('That name and passphrase do not match')).toBeVisible({ timeout: 30_000 });
  await shot(page, 'two-person-02-unlock-by-name');
  await expectNoAxeViolations(page, 'unlock by name');
  await signIn(page, DANA);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Audit log' })).toHaveCount(0);

  // 3. Dana prepares a third-party release under a valid authorization (home after unlock is Today: open Requests).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Requests' }).click();
  await recordRequest(page, { basis: 'authorization', requester: 'Qwfp Insurance Co', recipientName: 'Qwfp Insurer Claims', recipientDestination: RECIPIENT });
  await verifyAndMarkReady(page);
  await fillAuthorization(page, {
    description: 'Visit notes from 2025 for the disability claim',
    categories: ['Visit notes'],
    recipients: 'Qwfp Insurance Co, claims department',
    purpose: 'Evaluation of a disability claim',
    expires: '2027-12-31',
    signedOn: '2025-12-01',
  });
  await expect(page.getByText(/^Valid: every element and statement/)).toBeVisible();
  await startReleaseWithFixture(page);
  await chooseRecipient(page, gpg.exportPublic(recipientFpr), RECIPIENT);

  // 4. Review: blocked only by the two-person rule; the Send button is disabled and the API refuses, coded.
  const gate = page.getByRole('list', { name: 'Compliance findings' });
  await expect(gate.locator('[data-code="APPROVAL_REQUIRED"][data-severity="block"]')).toBeVisible();
  await expect(page.getByTestId('approval-needed')).toContainText('Needs approval by a privacy officer');
  await expect(page.getByTestId('send-blocker')).toContainText('Needs approval by a privacy officer');
  await expect(page.getByRole('button', { name: 'Approve this release' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send encrypted release' })).toBeDisabled();
  const heading = (await page.getByRole('heading', { name: /^Release R-/ }).innerText()).trim();
  const reference = heading.replace(/^Release\s+/, '');
  const list = (await hostResult(host, 'releases.list', {})) as { ok: true; value: Array<{ id: string; reference: string }> };
  const releaseId = list.value.find((r) => r.reference === reference)!.id;
  const refused = await hostResult(host, 'releases.send', { releaseId, method: 'openpgp-pgp-mime' });
  expect(refused).toMatchObject({ ok: false, error: { code: 'APPROVAL_REQUIRED' } });
  const selfApprove = await hostResult(host, 'releases.approve', { releaseId });
  expect(selfApprove).toMatchObject({ ok: false, error: { code: 'ROLE_NOT_PERMITTED' } });
  expect(smtp.received).toHaveLength(0);
  await shot(page, 'two-person-03-needs-approval');
  await expectNoAxeViolations(page, 'release review (needs approval)');
  await lock(page);

  // 5. The privacy officer signs in, opens the release and approves it.
  await signIn(page, PAT);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Releases' }).click();
  await page.getByRole('button', { name: `Continue release ${reference}` }).click();
  await expect(page.getByTestId('approval-needed')).toBeVisible({ timeout: 30_000 });
  await shot(page, 'two-person-04-privacy-officer-approves');
  await page.getByRole('button', { name: 'Approve this release' }).click();
  await expect(page.getByTestId('approval-needed')).toHaveCount(0);
  await expect(page.getByText('Nothing blocks this release')).toBeVisible();
  expect(smtp.received).toHaveLength(0);
  await lock(page);

  // 6. Front desk signs in again and sends it.
  await signIn(page, DANA);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Releases' }).click();
  await page.getByRole('button', { name: `Continue release ${reference}` }).click();
  await expect(page.getByText('Nothing blocks this release')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Send encrypted release' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent' })).toBeVisible({ timeout: 60_000 });
  expect(smtp.received).toHaveLength(1);
  expect(smtp.received[0]!.rcptTo).toEqual([RECIPIENT]);
  await lock(page);

  // 7. The privacy officer reads the audit log: the approval is Pat's, the preparation and the send are Dana's.
  await signIn(page, PAT);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Audit log' }).click();
  await page.getByRole('tab', { name: 'Events' }).click();
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(events).toContainText(new RegExp(`${PAT.name} approved \\(two-person rule\\) the sending of release ${reference}`), { timeout: 30_000 });
  await expect(events).toContainText(new RegExp(`${DANA.name} sent release ${reference}`));
  await expect(events).toContainText(new RegExp(`${DANA.name} started a release for request`));
  await shot(page, 'two-person-05-audit-both-users');
  await expectNoAxeViolations(page, 'audit log (both users)');
  const audit = (await hostResult(host, 'audit.events', { limit: 200 })) as { ok: true; value: Array<{ action: string; actor: string; actorId?: string | null; subjectId: string | null }> };
  const approve = audit.value.find((e) => e.action === 'release.approve' && e.subjectId === releaseId)!;
  const send = audit.value.find((e) => e.action === 'release.send' && e.subjectId === releaseId)!;
  expect(approve.actor).toBe(PAT.name);
  expect(send.actor).toBe(DANA.name);
  expect(approve.actorId).toBeTruthy();
  expect(send.actorId).toBeTruthy();
  expect(approve.actorId).not.toBe(send.actorId);
});
