/**
 * A real bounce end to end: a release sent through the real send path (SMTP test server with DSN), a delivery
 * status notification for it (Postfix-shaped, with the message's real headers as RET=HDRS returns them) dropped
 * into a real Dovecot mailbox (IMAP over TLS only), read by "check for bounces now": the part is bounced with its
 * status code, the message is marked seen, and the staff alert and the patient notice carry none of the synthetic patient's name, date
 * of birth or MRN (checked on the bytes). Also: the mailbox settings never return the password; the connection
 * test signs in over verified TLS and tells a wrong password, an untrusted certificate and a closed port apart.
 * Synthetic data only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBounceMailbox } from '../../../src/main/services/bounces/mailbox';
import { IMAP_PASSWORD, IMAP_USER, startDovecot, type RunningDovecot } from '../../support/dovecot';
import { deliveryStatusReport, headersOf } from '../../support/bounce-messages';
import { freePort } from '../../support/ports';
import { requireTool } from '../../support/tools';
import { PATIENT, sendAccessReleaseByPasswordPdf, startBackend, type Backend } from '../../support/backend';

const HAVE = ['openssl', 'qpdf', 'dovecot'].every((t) => requireTool(t)) && (process.getuid?.() === 0 || !!process.env.CI);
const DEST = 'zyxwv@patient.example.test';

/** The report a Postfix relay writes when the recipient's server says 550 5.1.1 (RFC 3464, RET=HDRS). */
function postfixBounce(envid: string, returnedHeaders: string, rcpt: string): Buffer {
  return deliveryStatusReport({
    envid,
    rcpt,
    boundary: 'B0UNCE.1796472002/mail.clinic.example.test',
    headers: [
      'Return-Path: <>',
      'From: MAILER-DAEMON@mail.clinic.example.test (Mail Delivery System)',
      // Real bounces can quote the patient anywhere: the subject, the text, the returned headers.
      `Subject: Undelivered Mail Returned to Sender: records of ${PATIENT.name}`,
      'To: frontdesk@clinic.example.test',
      'Auto-Submitted: auto-replied',
    ],
    trailingHeaders: ['Message-Id: <20261205150002.4F2A1C0124@mail.clinic.example.test>'],
    text: {
      contentType: 'text/plain; charset=us-ascii',
      lines: [
        `Your message about ${PATIENT.name}, born ${PATIENT.dateOfBirth}, ${PATIENT.mrn}, could not be delivered.`,
        `<${rcpt}>: host mx.patient.example.test said: 550 5.1.1 <${rcpt}>: User unknown`,
        '',
      ],
    },
    recipientFields: ['Remote-MTA: dns; mx.patient.example.test', `Diagnostic-Code: smtp; 550 5.1.1 <${rcpt}>: User unknown (${PATIENT.name})`],
    returnedHeaders: returnedHeaders.trimEnd(),
  });
}

const OUT_OF_OFFICE = Buffer.from(
  ['From: Abcde <zyxwv@patient.example.test>', 'To: frontdesk@clinic.example.test', 'Subject: Out of office', 'Auto-Submitted: auto-replied', 'Message-ID: <ooo-9@patient.example.test>', '', 'I am away.', ''].join('\r\n'),
);

describe.skipIf(!HAVE)('the bounce mailbox (real Dovecot over TLS)', () => {
  let b: Backend;
  let imap: RunningDovecot;
  beforeAll(async () => {
    imap = await startDovecot();
    b = await startBackend({ withSmtp: true });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await imap?.stop();
  });

  const settings = () => ({ host: imap.host, port: imap.port, username: IMAP_USER });

  it('keeps the mailbox password in the vault (never returned) and tests the connection over verified TLS', async () => {
    expect(await b.call('settings.getBounceMailbox', {})).toBeNull();
    await expect(b.call('bounces.checkNow', {})).rejects.toMatchObject({ code: 'BOUNCE_MAILBOX_NOT_SET' });
    const shown = await b.call('settings.updateBounceMailbox', { ...settings(), password: IMAP_PASSWORD });
    expect(shown).toEqual(settings());
    expect(JSON.stringify(await b.call('settings.getBounceMailbox', {}))).not.toContain(IMAP_PASSWORD);
    // The stored password is used when none is given.
    const t = await b.call('settings.testBounceMailbox', settings());
    expect(t.ok).toBe(true);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(t.tlsProtocol);
    await expect(b.call('settings.testBounceMailbox', { ...settings(), password: 'wrong-password-1' })).rejects.toMatchObject({ code: 'IMAP_AUTH_FAILED' });
    const audit = JSON.stringify(await b.call('audit.events', {}));
    expect(audit).toContain('settings.bounce_mailbox_test');
    expect(audit).not.toContain(IMAP_PASSWORD);
    expect(b.logText()).not.toContain(IMAP_PASSWORD);
  });

  it('refuses an untrusted certificate and tells a closed port apart (nothing sent in the clear)', async () => {
    const s = { ...settings(), password: IMAP_PASSWORD };
    await expect(testBounceMailbox(s, { ca: [], timeoutMs: 5000 })).rejects.toMatchObject({ code: 'TLS_CERT_UNTRUSTED' });
    await expect(testBounceMailbox({ ...s, port: await freePort() }, { ca: [imap.caPem], timeoutMs: 5000 })).rejects.toMatchObject({ code: 'IMAP_UNREACHABLE' });
  });

  it('reads a bounce for a sent release: the part is bounced with 5.1.1, the message seen, and the staff alert is free of PHI', async () => {
    const { rel, sent } = await sendAccessReleaseByPasswordPdf(b, DEST);
    expect(sent.release.status).toBe('sent');

    // What the mail server got: the DSN request (RET=HDRS, ENVID reference.1) and the headers a bounce returns.
    const got = b.smtp!.received.at(-1)!;
    expect(got.dsn).toMatchObject({ ret: 'HDRS', envid: `${sent.release.reference}.1` });
    const headers = headersOf(got.raw);
    expect(headers).toContain(sent.transmission.parts[0]!.messageId);

    const alerts: string[] = [];
    const off = b.services.events.on((name, p) => name === 'bounce' && alerts.push(JSON.stringify(p)));
    imap.deliver(postfixBounce(got.dsn.envid!, headers, DEST));
    imap.deliver(OUT_OF_OFFICE);
    expect(imap.maildir().new).toHaveLength(2);

    const t0 = Date.now();
    const counts = await b.call('bounces.checkNow', {});
    const ms = Date.now() - t0;
    off();
    expect(counts).toEqual({ read: 2, bounced: 1, delayed: 0, ignored: 1, unmatched: 0, duplicate: 0 });
    console.log(`bounce mailbox: 2 messages read, parsed and applied over IMAPS in ${ms} ms`);
    // Both messages are marked seen (moved to cur/ with the S flag); a second check reads nothing.
    const md = imap.maildir();
    expect(md.new).toEqual([]);
    expect(md.cur.every((f) => /:2,[A-Z]*S/.test(f))).toBe(true);
    expect(await b.call('bounces.checkNow', {})).toMatchObject({ read: 0, bounced: 0 });

    const d = await b.call('releases.get', { id: rel.id });
    expect(d.status).toBe('bounced');
    expect(d.transmissions[0]!.parts[0]!.status).toBe('bounced');
    expect(d.lastError).toMatchObject({ code: 'DELIVERY_BOUNCED' });

    // The staff alert (the event and the release's last error) and everything kept: no PHI, on the bytes.
    expect((await b.call('releases.outbox', {})).find((e) => e.releaseId === rel.id)?.status).toBe('bounced');
    expect(alerts).toHaveLength(1);
    const staffAlert = Buffer.from(alerts.join('\n') + JSON.stringify(d.lastError), 'utf8');
    const kept = Buffer.from(JSON.stringify(await b.call('audit.events', {})) + b.logText(), 'utf8');
    for (const bytes of [staffAlert, kept]) {
      for (const phi of [PATIENT.name, PATIENT.dateOfBirth, PATIENT.mrn, 'Zyxwv', 'Testpatient', 'User unknown']) expect(bytes.includes(Buffer.from(phi, 'utf8'))).toBe(false);
    }
    // The patient notice (the letter staff print or save): none of the patient's identifiers either, on the bytes.
    const notice = await b.call('releases.failureNotice', { releaseId: rel.id });
    expect(notice).toMatchObject({ language: 'en', saved: true });
    const letter = b.saved.at(-1)!.bytes;
    expect(letter.subarray(0, 5).toString()).toBe('%PDF-');
    for (const phi of [PATIENT.name, PATIENT.dateOfBirth, PATIENT.mrn, 'Zyxwv', 'Testpatient', DEST]) expect(letter.includes(Buffer.from(phi, 'utf8'))).toBe(false);
    expect(alerts[0]).toContain(sent.release.reference);
    expect(alerts[0]).toContain('does not exist');
  });
});
