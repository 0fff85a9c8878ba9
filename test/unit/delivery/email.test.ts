import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composePasswordPdfMessages, composePgpMimeMessages, composeTlsOnlyMessages } from '../../../src/main/services/delivery/compose';
import { sendMessages } from '../../../src/main/services/delivery/send-parts';
import type { SmtpSettings } from '../../../src/main/services/delivery/smtp';
import type { AssembledPacket } from '../../../src/main/services/packaging/packet';
import { generateSpokenPassphrase } from '../../../src/main/services/packaging/passphrase';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer } from '../../support/smtp';
import { requireTool } from '../../support/tools';
import { ASSETS, PHI_MARKERS, PRACTICE, RECIPIENT, gpgVerify, makePacket, makePractice, pageCount, pdfText, run, tempDir, writeTmp, type Practice } from './packet-fixtures';

const tools = ['qpdf', 'pdftotext', 'gpg', 'openssl', 'convert'].every((t) => requireTool(t));

const settings = (srv: RunningSmtpServer): SmtpSettings => ({ host: '127.0.0.1', port: srv.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD });
const envelope = { from: PRACTICE.address, to: [RECIPIENT.address] };

function attachment(m: ParsedMail, name: string): Buffer {
  const a = m.attachments.find((x) => x.filename === name);
  if (!a) throw new Error(`attachment ${name} missing; have ${m.attachments.map((x) => x.filename).join(', ')}`);
  return a.content;
}

describe.skipIf(!tools)('email delivery methods against a real SMTP server and the recipients\' tools', () => {
  const t = tempDir();
  let practice: Practice;
  let small: AssembledPacket;
  let big: AssembledPacket;
  beforeAll(async () => {
    practice = await makePractice();
    small = await makePacket(3);
    big = await makePacket(8, 40);
  });
  afterAll(() => {
    practice?.gpg.cleanup();
    t.cleanup();
  });

  const base = () => ({
    from: PRACTICE,
    to: RECIPIENT.address,
    practiceName: PRACTICE.name,
    reference: 'R-2026-00001',
    practiceSigningKeyArmored: practice.key.armoredPrivate,
    assetsRoot: ASSETS,
  });

  it('password PDF: received, AES-256 R6, opens only with the passphrase, signature verifies, no passphrase or PHI in the message', async () => {
    const pass = generateSpokenPassphrase().passphrase;
    const composed = await composePasswordPdfMessages({ ...base(), packetPdf: small.pdf, manifest: small.manifest, passphrase: pass });
    expect(composed.messages).toHaveLength(1);
    const srv = await startSmtpServer();
    try {
      const out = await sendMessages(settings(srv), envelope, composed.messages, { ca: [srv.caPem], envid: 'R-2026-00001' });
      expect(out.complete).toBe(true);
      expect(out.results[0]!.send!.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
      expect(srv.received).toHaveLength(1);
      expect(srv.received[0]!.dsn).toMatchObject({ ret: 'HDRS', envid: 'R-2026-00001.1' });
      const raw = srv.received[0]!.raw;

      // The passphrase and the PHI appear nowhere in the message as transmitted.
      const rawText = raw.toString('latin1');
      expect(rawText).not.toContain(pass);
      for (const w of PHI_MARKERS) expect(rawText).not.toContain(w);
      const mail = await simpleParser(raw);
      expect(mail.text).not.toContain(pass);
      for (const a of mail.attachments) expect(a.content.toString('latin1')).not.toContain(pass);

      // Outer headers: address only, PHI-free subject and file names.
      expect(mail.subject).toBe('Secure message from Qwerty Family Clinic');
      const head = rawText.slice(0, rawText.indexOf('\r\n\r\n'));
      expect(head).toMatch(/^To: zyxwv\.testpatient@example\.test$/m);
      expect(mail.attachments.map((a) => a.filename)).toEqual([
        'release-R-2026-00001.pdf',
        'release-R-2026-00001.pdf.sig',
        'release-R-2026-00001-manifest.json',
        'release-R-2026-00001-manifest.json.sig',
        'practice-key.asc',
      ]);
      expect(mail.text).toMatch(/locked with a passphrase/);
      expect(mail.text).toMatch(/by phone, by text message or in person/);
      expect(mail.text).toMatch(/gpg --verify "release-R-2026-00001\.pdf\.sig" "release-R-2026-00001\.pdf"/);

      const pdfPath = writeTmp(t.dir, 'release-R-2026-00001.pdf', attachment(mail, 'release-R-2026-00001.pdf'));
      const sigPath = writeTmp(t.dir, 'release-R-2026-00001.pdf.sig', attachment(mail, 'release-R-2026-00001.pdf.sig'));
      const show = run('qpdf', ['--show-encryption', `--password=${pass}`, pdfPath]);
      expect(show.stdout).toContain('R = 6');
      expect(show.stdout).toMatch(/file encryption method: AESv3/);
      expect(run('qpdf', ['--check', `--password=${pass}`, pdfPath]).status).toBe(0);
      const opened = pdfText(pdfPath, { password: pass });
      expect(opened.status).toBe(0);
      expect(opened.text).toContain(`Patient: ${PHI_MARKERS[0]}`);
      expect(pdfText(pdfPath).status).not.toBe(0);
      expect(pdfText(pdfPath, { password: 'wrong-words-here' }).status).not.toBe(0);
      expect(pageCount(pdfPath, pass)).toBe(small.pageCount);

      const v = gpgVerify(practice.gpg, sigPath, pdfPath);
      expect(v.status).toBe(0);
      expect(v.stdout).toContain('GOODSIG');
      expect(v.stdout).toContain(practice.key.info.fingerprint.toUpperCase());
      const manifest = JSON.parse(attachment(mail, 'release-R-2026-00001-manifest.json').toString('utf8'));
      expect(manifest).toMatchObject({ reference: 'R-2026-00001', pageCount: small.pageCount, parts: [{ part: 1, of: 1 }] });
      const mPath = writeTmp(t.dir, 'm.json', attachment(mail, 'release-R-2026-00001-manifest.json'));
      const mSig = writeTmp(t.dir, 'm.json.sig', attachment(mail, 'release-R-2026-00001-manifest.json.sig'));
      expect(gpgVerify(practice.gpg, mSig, mPath).status).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('a release over the limit goes as 2+ messages, one passphrase; the parts together are the packet', async () => {
    const pass = generateSpokenPassphrase().passphrase;
    const limitBytes = 100_000;
    const composed = await composePasswordPdfMessages({ ...base(), packetPdf: big.pdf, manifest: big.manifest, passphrase: pass, limitBytes });
    const n = composed.messages.length;
    expect(n).toBeGreaterThanOrEqual(2);
    const srv = await startSmtpServer();
    try {
      const out = await sendMessages(settings(srv), envelope, composed.messages, { ca: [srv.caPem] });
      expect(out.complete).toBe(true);
      expect(srv.received).toHaveLength(n);
      let pages = 0;
      const texts: string[] = [];
      for (const [i, r] of srv.received.entries()) {
        const k = i + 1;
        expect(r.raw.toString('latin1')).not.toContain(pass);
        const mail = await simpleParser(r.raw);
        expect(mail.subject).toBe(`Secure message from Qwerty Family Clinic (part ${k} of ${n})`);
        expect(mail.text).toContain(`This is message ${k} of ${n}`);
        const raw = mail.attachments.reduce((s, a) => s + a.content.length, 0);
        expect(raw).toBeLessThanOrEqual(limitBytes);
        const name = `release-R-2026-00001-part-${k}-of-${n}.pdf`;
        const p = writeTmp(t.dir, name, attachment(mail, name));
        expect(gpgVerify(practice.gpg, writeTmp(t.dir, `${name}.sig`, attachment(mail, `${name}.sig`)), p).status).toBe(0);
        const manifest = JSON.parse(attachment(mail, 'release-R-2026-00001-manifest.json').toString('utf8'));
        expect(manifest.parts).toHaveLength(n);
        expect(manifest.parts[i]).toMatchObject({ part: k, of: n });
        const np = pageCount(p, pass);
        expect(np).toBe(manifest.parts[i].lastPage - manifest.parts[i].firstPage + 1);
        pages += np;
        for (let pg = 1; pg <= np; pg++) {
          const tx = pdfText(p, { page: pg, password: pass });
          expect(tx.status).toBe(0);
          expect(tx.text).toContain(`Part ${k} of ${n}`);
          texts.push(tx.text);
        }
      }
      expect(pages).toBe(big.pageCount);
      // The record pages arrive complete and in order.
      const recordPages = texts.map((x) => /Record page (\d+) of 8/.exec(x)?.[1]).filter((x): x is string => !!x).map(Number);
      expect(recordPages).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await srv.close();
    }
  });

  it('a failure on part 2 leaves part 1 recorded as sent; the retry sends only the missing parts', async () => {
    const pass = generateSpokenPassphrase().passphrase;
    const composed = await composePasswordPdfMessages({ ...base(), packetPdf: big.pdf, manifest: big.manifest, passphrase: pass, limitBytes: 100_000 });
    const n = composed.messages.length;
    const srv = await startSmtpServer({ rejectDataAt: [1] });
    const progress: string[] = [];
    try {
      const out = await sendMessages(settings(srv), envelope, composed.messages, { ca: [srv.caPem] }, (p) => progress.push(`${p.part}:${p.status}`));
      expect(out.complete).toBe(false);
      expect(out.sentParts).toEqual([1]);
      expect(out.results.map((r) => r.status)).toEqual(['sent', 'failed', ...Array(n - 2).fill('not-attempted')]);
      expect(out.results[1]!.error).toMatchObject({ code: 'SMTP_TEMPORARY_FAILURE', detail: { smtpCode: 451, phase: 'reply', transient: true } });
      expect(out.results[0]!.send!.messageId).toBe(composed.messages[0]!.messageId);
      expect(srv.received).toHaveLength(1);
      expect(progress).toHaveLength(n);

      const again = await sendMessages(settings(srv), envelope, composed.messages, { ca: [srv.caPem], alreadySent: out.sentParts });
      expect(again.complete).toBe(true);
      expect(again.results[0]!.status).toBe('already-sent');
      expect(srv.received).toHaveLength(n); // part 1 was not sent twice
      const ids = await Promise.all(srv.received.map(async (r) => (await simpleParser(r.raw)).messageId));
      expect(new Set(ids).size).toBe(n);
    } finally {
      await srv.close();
    }
  });

  it('TLS-only: refused without the recorded choice; with it, unencrypted but signed, and the body says so', async () => {
    const input = { ...base(), packetPdf: small.pdf, manifest: small.manifest };
    await expect(composeTlsOnlyMessages({ ...input, unencrypted: undefined })).rejects.toMatchObject({ code: 'UNENCRYPTED_NOT_ACKNOWLEDGED' });
    await expect(composeTlsOnlyMessages({ ...input, unencrypted: { allowed: false, acknowledgmentId: 'ack-1' } })).rejects.toMatchObject({ code: 'UNENCRYPTED_NOT_ACKNOWLEDGED' });
    await expect(composeTlsOnlyMessages({ ...input, unencrypted: { allowed: true, acknowledgmentId: ' ' } })).rejects.toMatchObject({ code: 'UNENCRYPTED_NOT_ACKNOWLEDGED' });
    const composed = await composeTlsOnlyMessages({ ...input, unencrypted: { allowed: true, acknowledgmentId: 'ack-1' } });
    const srv = await startSmtpServer();
    try {
      expect((await sendMessages(settings(srv), envelope, composed.messages, { ca: [srv.caPem] })).complete).toBe(true);
      const mail = await simpleParser(srv.received[0]!.raw);
      expect(mail.subject).toBe('Message from Qwerty Family Clinic');
      expect(mail.text).toMatch(/as you asked, this email was sent WITHOUT encryption/);
      const p = writeTmp(t.dir, 'plain.pdf', attachment(mail, 'release-R-2026-00001.pdf'));
      expect(pdfText(p).text).toContain(PHI_MARKERS[0]);
      expect(run('qpdf', ['--is-encrypted', p]).status).not.toBe(0);
      expect(gpgVerify(practice.gpg, writeTmp(t.dir, 'plain.pdf.sig', attachment(mail, 'release-R-2026-00001.pdf.sig')), p).status).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('PGP/MIME: files grouped into messages under the limit, each decryptable; a file over the limit is refused', async () => {
    const recipient = practice.gpg.generateKey({ name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' });
    const recipientPublic = practice.gpg.exportPublic(recipient);
    const files = [1, 2, 3].map((i) => ({ filename: `record-${i}.pdf`, content: Buffer.from(small.pdf), contentType: 'application/pdf' }));
    const common = {
      from: PRACTICE,
      to: 'intake@lawfirm.example.test',
      practiceName: PRACTICE.name,
      reference: 'R-2026-00001',
      signingKeyArmored: practice.key.armoredPrivate,
      encryptionKeysArmored: [recipientPublic, practice.key.armoredPublic],
      date: new Date(),
    };
    const composed = await composePgpMimeMessages({ ...common, files, limitBytes: small.pdf.length * 2 + 10 });
    expect(composed.parts.map((p) => p.files)).toEqual([['record-1.pdf', 'record-2.pdf'], ['record-3.pdf']]);
    const second = composed.messages[1]!;
    const head = second.raw.toString('latin1');
    expect(head).toMatch(/^Subject: Secure message from Qwerty Family Clinic \(part 2 of 2\)$/m);
    expect(head).not.toContain('record-3.pdf');
    const armored = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(head)![0];
    const dec = practice.gpg.decrypt(armored);
    expect(dec.exitCode).toBe(0);
    expect(dec.status.some((s) => s.startsWith('GOODSIG'))).toBe(true);
    const inner = await simpleParser(dec.stdout);
    expect(inner.text).toContain('This is message 2 of 2');
    expect(inner.attachments.map((a) => a.filename)).toEqual(['record-3.pdf']);
    expect(Buffer.compare(inner.attachments[0]!.content, Buffer.from(small.pdf))).toBe(0);

    await expect(composePgpMimeMessages({ ...common, files, limitBytes: small.pdf.length - 1 })).rejects.toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    await expect(composePgpMimeMessages({ ...common, files: [{ ...files[0]!, filename: 'Zyxwv Testpatient.pdf' }] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses header injection and invalid addresses before composing', async () => {
    const input = { ...base(), packetPdf: small.pdf, manifest: small.manifest, passphrase: 'alpha-beta-gamma' };
    await expect(composePasswordPdfMessages({ ...input, to: 'a@b.example\r\nBcc: x@y.example' })).rejects.toMatchObject({ code: 'HEADER_INJECTION' });
    await expect(composePasswordPdfMessages({ ...input, to: 'not-an-address' })).rejects.toMatchObject({ code: 'INVALID_EMAIL' });
    await expect(composePasswordPdfMessages({ ...input, reference: 'Zyxwv Testpatient' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(composePasswordPdfMessages({ ...input, manifest: { ...small.manifest, packetSha256: '0'.repeat(64) } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
