/**
 * Authorization and consent rules in the real UI (Chromium through the test host):
 * 1. an authorization that covers psychotherapy notes AND visit notes is defective as a whole
 *    (45 CFR 164.508(b)(3)(ii), (b)(2)(iv)) — with nothing ticked as "combined with" — so even a release
 *    of visit notes only is blocked at review, naming the rule and its citation;
 * 2. recording who initiated an "at the request of the individual" authorization, and that "none" as
 *    its expiration is refused outside research (164.508(c)(1)(iv), (v));
 * 3. a personal representative's authority verified by attaching the document (164.514(h)).
 * Axe scans the authorization form and the blocked review.
 */
import type { Page } from '@playwright/test';
import {
  chooseRecipient, fillAuthorization, expect, expectNoAxeViolations, FIXTURE_PDF, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady, type Keyring,
} from './fixtures';
import type { RunningSmtpServer } from '../support/smtp';
import { requireTool } from '../support/tools';

const RECIPIENT = 'claims.qwfp@example.test';

/**
 * The insurer's claims department gets a gpg key (made before the app starts), the app is opened with `open`, and a
 * verified, ready authorization request from the insurer for `categories` is recorded.
 * @returns the insurer's armored public key and the test mail server
 */
async function insurerRequest(page: Page, gpg: Keyring, open: () => Promise<{ smtp: RunningSmtpServer }>, categories: string[]) {
  const fpr = gpg.generateKey({ name: 'Qwfp Insurer Claims', email: RECIPIENT });
  const { smtp } = await open();
  await recordRequest(page, { basis: 'authorization', requester: 'Qwfp Insurance Co', recipientName: 'Qwfp Insurer Claims', recipientDestination: RECIPIENT, categories });
  await verifyAndMarkReady(page);
  return { recipientKey: gpg.exportPublic(fpr), smtp };
}

test('a compound psychotherapy-notes authorization blocks even the general records, with its citation', async ({ page, app, keyring: gpg }) => {
  test.setTimeout(240_000); // the machine is shared; setup, intake, authorization and review take about a minute
  test.info().skip(!requireTool('gpg') || !requireTool('openssl'), 'gpg and openssl are required');
  const { recipientKey, smtp } = await insurerRequest(page, gpg, () => app.open(), ['Visit notes', 'Psychotherapy notes']);

  // The signed form lists visit notes and psychotherapy notes; staff do NOT tick "combined with".
  const form = page.getByRole('form', { name: 'Authorization' });
  await fillAuthorization(page, {
    description: 'Visit notes and psychotherapy notes from 2025',
    categories: ['Visit notes', 'Psychotherapy notes'],
    recipients: 'Qwfp Insurance Co, claims department',
    purpose: 'At the request of the individual',
    expires: '2027-12-31',
    signedOn: '2026-01-05',
  });
  const findings = page.getByRole('list', { name: 'Authorization findings' });
  await expect(findings.locator('[data-code="AUTH_PSYCHOTHERAPY_NOTES_COMBINED"]')).toContainText('45 CFR 164.508(b)(3)(ii), (b)(2)(iv)');
  // "At the request of the individual" with nobody recorded as initiator: refused until it is recorded.
  await expect(findings.locator('[data-code="AUTH_INITIATOR_NOT_RECORDED"]')).toContainText('45 CFR 164.508(c)(1)(iv)');
  await form.getByLabel('Who initiated this authorization?').selectOption('third_party');
  await expect(findings.locator('[data-code="AUTH_PURPOSE_NOT_INDIVIDUAL_INITIATED"]')).toBeVisible();
  await form.getByLabel('Who initiated this authorization?').selectOption('individual');
  await expect(findings.locator('[data-code="AUTH_PURPOSE_NOT_INDIVIDUAL_INITIATED"]')).toHaveCount(0);
  await expect(findings.locator('[data-code="AUTH_INITIATOR_NOT_RECORDED"]')).toHaveCount(0);
  // "None" as the expiration, outside research.
  await form.getByLabel('Expiration date (inclusive)').fill('');
  await form.getByLabel('The form says “none” (allowed only for research)').check();
  await expect(findings.locator('[data-code="AUTH_EXPIRATION_NONE_NOT_RESEARCH"]')).toContainText('45 CFR 164.508(c)(1)(v)');
  await form.getByLabel('The form says “none” (allowed only for research)').uncheck();
  await form.getByLabel('Expiration date (inclusive)').fill('2027-12-31');
  await expect(findings.locator('[data-code="AUTH_EXPIRATION_NONE_NOT_RESEARCH"]')).toHaveCount(0);
  await expect(findings.locator('[data-severity="block"]')).toHaveCount(1);
  await expect(page.getByText(/defective: it blocks the release/)).toBeVisible();
  await shot(page, 'consent-01-authorization-compound');
  await expectNoAxeViolations(page, 'authorization form (compound)');

  // A release of visit notes only is still blocked: the authorization is defective as a whole.
  await startReleaseWithFixture(page, 'visit_notes');
  await chooseRecipient(page, recipientKey, RECIPIENT);
  const gate = page.getByRole('list', { name: 'Compliance findings' });
  await expect(gate.locator('[data-code="AUTH_PSYCHOTHERAPY_NOTES_COMBINED"][data-severity="block"]')).toContainText('45 CFR 164.508(b)(3)(ii), (b)(2)(iv)');
  await expect(gate.locator('[data-code="AUTH_PSYCHOTHERAPY_NOTES_COMBINED"]')).toContainText('separate authorization');
  await expect(page.getByRole('button', { name: 'Send encrypted release' })).toBeDisabled();
  await shot(page, 'consent-02-review-blocked');
  await expectNoAxeViolations(page, 'release review (compound authorization)');
  expect(smtp.received).toHaveLength(0);
});

test("a representative's authority is verified by attaching the document, not by a typed word", async ({ page, app }) => {
  await app.open();
  await page.getByRole('button', { name: 'New request' }).click();
  await page.locator('#patient-name').fill('Zyxwv Testpatient');
  await page.locator('#patient-dob').fill('1970-01-02');
  await page.locator('#patient-mrn').fill('MRN-TEST-1');
  await page.locator('#requester-role').selectOption('personal_representative');
  await page.locator('#requester-name').fill('Qazwsx Agent');
  await page.locator('#requester-authority').fill('son');
  await page.locator('#recipient-0-name').fill('Qazwsx Agent');
  await page.locator('#recipient-0-destination').fill('qazwsx@example.test');
  await page.locator('#recipient-0-destination-confirm').fill('qazwsx@example.test');
  await page.getByRole('checkbox', { name: 'Visit notes', exact: true }).check();
  await page.getByRole('button', { name: 'Record request' }).click();
  await expect(page.getByRole('heading', { name: /^Request Q-/ })).toBeVisible();

  const group = page.getByRole('group', { name: 'Verify the representative’s authority' });
  await expect(group).toContainText('A description alone is not enough');
  await group.getByLabel('What gives the authority').selectOption('health_care_power_of_attorney');
  await group.getByLabel('How you checked it').selectOption('practice_records');
  await expect(group.getByText('Our records can confirm only a parent or guardian of a minor.')).toBeVisible();
  await group.getByLabel('How you checked it').selectOption('copy_attached');
  const chooser = page.waitForEvent('filechooser');
  await group.getByRole('button', { name: 'Choose the copy (PDF) and record' }).click();
  await (await chooser).setFiles(FIXTURE_PDF);
  await expect(page.getByTestId('requester-authority-verified')).toContainText('Health care power of attorney — copy on file; checked by');
  // An authority check is not an identity check: the request cannot be marked ready on it alone.
  await expect(page.getByRole('button', { name: 'Mark ready to release' })).toBeVisible();
  await page.getByRole('button', { name: 'Mark ready to release' }).click();
  await expect(page.getByText(/Record how the requester’s identity|Record how the requester's identity/)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Identity checks' })).toContainText('Documents showing the representative’s authority');
  await shot(page, 'consent-03-representative-verified');
  await expectNoAxeViolations(page, 'request detail (representative verified)');
});

test('revoking a Part 2 consent on the request blocks the release of substance use disorder records', async ({ page, app, keyring: gpg }) => {
  test.setTimeout(240_000);
  test.info().skip(!requireTool('gpg') || !requireTool('openssl'), 'gpg and openssl are required');
  const { recipientKey, smtp } = await insurerRequest(page, gpg, () => app.open(), ['Substance use disorder records (42 CFR Part 2)']);
  await fillAuthorization(page, {
    description: 'Substance use disorder treatment records, 2025',
    categories: ['Substance use disorder records (42 CFR Part 2)'],
    recipients: 'Qwfp Insurance Co',
    purpose: 'Disability claim',
    expires: '2027-12-31',
    signedOn: '2026-01-05',
  });
  await expect(page.getByText(/— valid\./)).toBeVisible();

  // The Part 2 consent (42 CFR 2.31), every element present.
  const consent = page.getByRole('form', { name: 'Part 2 consent' });
  await consent.getByLabel('(1) The patient is named').check();
  await consent.getByLabel('(2) Who may disclose (program or person)').fill('Lakeside Test Clinic');
  await consent.getByLabel('(4) Recipients (one per line)').fill('Qwfp Insurance Co');
  await consent.getByLabel(/\(3\) How much and what kind/).fill('SUD treatment records 2025');
  await consent.getByLabel('(5) Purpose of the disclosure').fill('Disability claim');
  await consent.getByLabel('(6) States the right to revoke and how').check();
  await consent.getByLabel('(7) Expiration date').fill('2027-12-31');
  await consent.getByLabel('(8) Signed').check();
  await consent.getByLabel('Date signed').fill('2026-01-05');
  await consent.getByRole('button', { name: 'Save consent' }).click();
  await expect(page.getByText(/Consent recorded .* — valid/)).toBeVisible();

  await startReleaseWithFixture(page, 'substance_use_disorder');
  await chooseRecipient(page, recipientKey, RECIPIENT);
  await expect(page.getByText(/^Nothing blocks this release/)).toBeVisible();

  // The patient revokes the consent: recorded on the request, effective the day received.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Requests' }).click();
  await page.getByRole('button', { name: /^Open request Q-/ }).first().click();
  const today = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  await page.getByLabel('Revocation received on').last().fill(today);
  await page.getByRole('button', { name: 'Record revocation' }).last().click();
  await expect(page.getByTestId('p2-revoked')).toContainText(`Revoked: received ${today}`);
  await shot(page, 'consent-04-part2-revoked');
  await expectNoAxeViolations(page, 'request detail (Part 2 consent revoked)');

  await page.getByRole('button', { name: /Open release R-/ }).click();
  await page.getByRole('button', { name: /Review/ }).first().click();
  const gate = page.getByRole('list', { name: 'Compliance findings' });
  await expect(gate.locator('[data-code="P2_REVOKED"][data-severity="block"]')).toContainText('42 CFR 2.31(c)');
  await expect(gate.locator('[data-code="PART2_CONSENT_REQUIRED"][data-severity="block"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send encrypted release' })).toBeDisabled();
  await shot(page, 'consent-05-review-part2-revoked');
  expect(smtp.received).toHaveLength(0);
});
