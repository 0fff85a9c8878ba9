/**
 * S/MIME end to end in Chromium through the real test host: a recipient WITHOUT an OpenPGP key; the
 * Delivery step's S/MIME rung says why it is closed and leads to the Recipient step; the recipient's certificate (a
 * DER .cer made by openssl, issued by a CA the practice does not trust) is imported, its SHA-256 fingerprint shown in
 * groups of four with the untrusted-chain warning, confirmed and accepted; the ladder then preselects S/MIME; the
 * release goes out over STARTTLS; openssl (and gpgsm) decrypt and verify what the server received, the PDF
 * byte-identical; the Send step, the audit's transmissions and events show the method and the fingerprint; Settings
 * shows the self-made practice certificate with its warning. Axe on the Recipient step, Delivery, Send, Settings.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { expect, expectNoAxeViolations, FIXTURE_PDF, recordRequest, shot, startReleaseWithFixture, test, verifyAndMarkReady } from './fixtures';
import { requireTool } from '../support/tools';
import { smimeCert } from '../support/smime-certs';
import { gpgsmOpen, opensslOpen } from '../support/smime-read';

const RECIPIENT = 'records.office@hospital.example.test';

test('a recipient certificate is imported and its fingerprint confirmed; the release goes out S/MIME; the audit shows method and fingerprint', async ({ page, app }) => {
  test.info().skip(!requireTool('openssl'), 'openssl is required');
  test.setTimeout(240_000);
  const work = mkdtempSync(join(tmpdir(), 'rd-e2e-smime-'));
  try {
    const rec = smimeCert('rsa', RECIPIENT);
    const leaf = new X509Certificate(rec.cert);
    const fpr = leaf.fingerprint256.replace(/:/g, '');
    const grouped = fpr.match(/.{4}/g)!.join(' ');
    const cerFile = join(work, 'records-office.cer');
    writeFileSync(cerFile, leaf.raw); // DER, as many mail programs export it

    const { host, smtp } = await app.open();
    await recordRequest(page, { recipientDestination: RECIPIENT });
    await verifyAndMarkReady(page);
    await startReleaseWithFixture(page);

    // 1. Recipient without an OpenPGP key → Delivery: the S/MIME rung is closed and says why.
    await page.locator('#recipient-name').fill('Records Office');
    await page.locator('#recipient-email').fill(RECIPIENT);
    await page.getByRole('switch', { name: 'The recipient has an OpenPGP key' }).uncheck();
    await page.getByRole('button', { name: 'Save recipient' }).click();
    await expect(page.getByRole('radio', { name: 'Encrypted email (S/MIME certificate)' })).toBeDisabled();
    await expect(page.getByTestId('rung-reason-smime')).toContainText('no S/MIME certificate');
    await expect(page.getByRole('radio', { name: 'Password-protected PDF by email' })).toBeChecked();
    await page.getByRole('button', { name: 'Import the recipient’s S/MIME certificate' }).click();

    // 2. Recipient step: import the certificate file; fingerprint grouped, untrusted chain warned.
    await expect(page.getByRole('heading', { name: 'S/MIME certificate' })).toBeVisible();
    await page.locator('#certificate-file').setInputFiles(cerFile);
    await expect(page.getByLabel('Recipient certificate fingerprint')).toHaveText(grouped);
    await expect(page.getByText('Not vouched for by a trusted certificate authority')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Recipient S/MIME certificate' })).toContainText('RSA 2048 bits');
    await shot(page, 'smime-01-recipient-certificate');
    await expectNoAxeViolations(page, 'release wizard: recipient S/MIME certificate');

    // Confirming without the ticks is refused in the form; then both ticks, confirmed and recorded.
    await page.getByRole('button', { name: 'Confirm certificate' }).click();
    await expect(page.locator('#certificate-confirm')).toBeFocused();
    await page.locator('#certificate-confirm').check();
    await page.locator('#certificate-accept-untrusted').check();
    await page.getByRole('button', { name: 'Confirm certificate' }).click();
    await expect(page.getByTestId('certificate-confirmed')).toContainText('Fingerprint confirmed with the recipient by');
    await shot(page, 'smime-02-recipient-confirmed');
    await expectNoAxeViolations(page, 'release wizard: recipient certificate confirmed');

    // 3. Delivery: S/MIME now open and preselected (the recipient has no OpenPGP key).
    await page.getByRole('button', { name: 'Next: delivery' }).click();
    await expect(page.getByRole('radio', { name: 'Encrypted email (S/MIME certificate)' })).toBeChecked();
    await shot(page, 'smime-03-delivery');
    await expectNoAxeViolations(page, 'release wizard: delivery with S/MIME');
    await page.getByRole('button', { name: 'Next: review' }).click();
    await expect(page.getByTestId('review-method')).toHaveText('S/MIME (certificate)');
    await expect(page.getByLabel('Recipient certificate fingerprint')).toHaveText(grouped);
    await expect(page.getByText('Nothing blocks this release')).toBeVisible();

    // 4. Send.
    await page.getByRole('button', { name: 'Send encrypted release (S/MIME)' }).click();
    await expect(page.getByTestId('sent-method')).toHaveText('S/MIME (certificate)', { timeout: 90_000 });
    await expect(page.getByTestId('sent-certificate')).toHaveText(grouped);
    await expect(page.getByTestId('sent-tls')).toContainText('TLSv1.');
    await shot(page, 'smime-04-sent');
    await expectNoAxeViolations(page, 'send step after S/MIME');

    // 5. What the server received: one S/MIME message over TLS that the recipient's tools open.
    expect(smtp.received).toHaveLength(1);
    const msg = smtp.received[0]!;
    expect(msg.secure).toBe(true);
    expect(msg.rcptTo).toEqual([RECIPIENT]);
    expect(msg.raw.toString('latin1')).toMatch(/application\/pkcs7-mime; smime-type=enveloped-data/);
    expect(msg.raw.toString('latin1')).not.toMatch(/Zyxwv|synthetic-record/);
    const practice = (await (
      await fetch(`${host.origin}/rpc/settings.smimeCertificate`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).json()) as { ok: true; value: { certPem: string; fingerprint: string; selfSigned: boolean } };
    expect(practice.value.selfSigned).toBe(true);
    expect(new X509Certificate(practice.value.certPem).fingerprint256.replace(/:/g, '')).toBe(practice.value.fingerprint);
    const fixture = readFileSync(FIXTURE_PDF);
    const checkInner = async (inner: Buffer) => {
      const pdfs = (await simpleParser(inner)).attachments.filter((a) => a.contentType === 'application/pdf');
      expect(pdfs).toHaveLength(1);
      expect(pdfs[0]!.filename).toBe('record-1.pdf');
      expect(Buffer.compare(pdfs[0]!.content, fixture)).toBe(0);
    };
    await checkInner(opensslOpen(msg.raw, rec, practice.value.certPem).inner);
    if (requireTool('gpgsm')) {
      const g = gpgsmOpen(msg.raw, rec, practice.value.certPem);
      expect(g.status).toMatch(/\[GNUPG:\] GOODSIG /);
      await checkInner(g.inner);
    }

    // 6. The audit: the transmission names the method and the certificate; the events say it in words.
    await page.getByRole('button', { name: 'Audit log', exact: true }).click();
    const row = page.getByRole('table', { name: 'Transmissions' }).getByRole('row').nth(1);
    await expect(row).toContainText(RECIPIENT);
    await expect(row.getByTestId('method-cell')).toContainText('S/MIME (certificate)');
    await expect(row.getByTestId('certificate-cell')).toHaveText(`Certificate ${grouped}`);
    await shot(page, 'smime-05-audit-transmissions');
    await expectNoAxeViolations(page, 'audit transmissions with S/MIME');
    await page.getByRole('tab', { name: 'Events' }).click();
    const events = page.getByRole('table', { name: 'Audit events' });
    await expect(events.getByText(new RegExp(`sent release R-\\d{4}-\\d{5} to Records Office by S/MIME encrypted email, certificate ${grouped}`))).toBeVisible();
    await expect(events.getByText(/confirmed the recipient’s S\/MIME certificate fingerprint for release/).first()).toBeVisible();
    await shot(page, 'smime-06-audit-events');

    // 7. Settings: the self-made practice certificate with its plain warning.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByText('Recipients’ mail programs will not trust it', { exact: true })).toBeVisible();
    await expect(page.getByText(/ReleaseDesk made this certificate itself/)).toBeVisible();
    await expect(page.getByLabel('Practice S/MIME certificate fingerprint')).toHaveText(practice.value.fingerprint.match(/.{4}/g)!.join(' '));
    await shot(page, 'smime-07-settings');
    await expectNoAxeViolations(page, 'settings with the practice S/MIME certificate');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
