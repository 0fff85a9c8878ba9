import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { simpleParser } from 'mailparser';
import { buildPgpMimeMessage } from '../../../src/main/services/delivery/pgpmime';
import { requireTool } from '../../support/tools';
import { PHI_MARKERS, RECIPIENT, armoredPart, makeParties, messageInput, outerHeaders, type Parties } from './fixtures';

const hasGpg = requireTool('gpg');
const hasPdftotext = requireTool('pdftotext');

describe.skipIf(!hasGpg)('buildPgpMimeMessage', () => {
  let p: Parties;
  beforeAll(async () => {
    p = await makeParties();
  });
  afterAll(() => p?.gpg.cleanup());

  it('has the RFC 3156 §4 structure: multipart/encrypted, Version: 1 part, armored octet-stream part; 7bit, CRLF, ASCII', async () => {
    const { raw, messageId } = await buildPgpMimeMessage(messageInput(p, { messageId: '<rel-abc123@clinic.example.test>' }));
    const s = raw.toString('latin1');
    const head = outerHeaders(raw);
    expect(messageId).toBe('<rel-abc123@clinic.example.test>');
    expect(head).toMatch(/^From: Qwerty Family Clinic <records@clinic\.example\.test>$/m);
    expect(head).toMatch(/^To: Abcde Lawfirm Intake <intake@lawfirm\.example\.test>$/m);
    expect(head).toMatch(/^Subject: Secure message from Qwerty Family Clinic$/m);
    expect(head).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
    expect(head).toMatch(/^Message-ID: <rel-abc123@clinic\.example\.test>$/m);
    expect(head).toMatch(/^MIME-Version: 1\.0$/m);
    const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
    const ct = /^Content-Type: multipart\/encrypted; protocol="application\/pgp-encrypted"; boundary="([^"]+)"$/m.exec(unfolded);
    expect(ct, unfolded).not.toBeNull();
    const boundary = ct![1]!;
    const parts = s.split(`--${boundary}`);
    expect(parts).toHaveLength(4); // preamble, part 1, part 2, "--" epilogue
    expect(parts[1]).toMatch(/^\r\nContent-Type: application\/pgp-encrypted\r\n/);
    expect(parts[1]).toContain('Content-Transfer-Encoding: 7bit\r\n\r\nVersion: 1\r\n');
    expect(parts[2]).toMatch(/^\r\nContent-Type: application\/octet-stream; name=(?:"?)encrypted\.asc/);
    expect(parts[2]).toContain('Content-Transfer-Encoding: 7bit\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n');
    expect(parts[3]!.startsWith('--')).toBe(true);
    expect(/[^\r]\n/.test(s)).toBe(false); // no bare LF
    expect(/\r(?!\n)/.test(s)).toBe(false); // no bare CR
    expect([...raw].every((b) => b < 0x80)).toBe(true);
    expect(s.split('\r\n').every((l) => l.length <= 998)).toBe(true);
  });

  it('leaks no marker PHI outside the ciphertext (subject, headers, file names, whole raw message)', async () => {
    const { raw } = await buildPgpMimeMessage(messageInput(p));
    const s = raw.toString('latin1');
    for (const marker of [...PHI_MARKERS, 'record-1.pdf', 'application/pdf', '%PDF']) {
      expect(s).not.toContain(marker);
    }
    // and the same for base64 of the PDF's first bytes (an unencrypted attachment would show it)
    expect(s).not.toContain(p.pdf.subarray(0, 30).toString('base64').slice(0, 24));
  });

  it('gpg (GnuPG 2.2) decrypts it, reports GOODSIG and VALIDSIG with the practice key fingerprint, and the PDF inside is byte-identical', async () => {
    const { raw } = await buildPgpMimeMessage(messageInput(p));
    const r = p.gpg.decrypt(armoredPart(raw));
    expect(r.exitCode, r.status.join('\n')).toBe(0);
    expect(r.status.some((l) => l.startsWith('DECRYPTION_OKAY'))).toBe(true);
    expect(r.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
    const validsig = r.status.find((l) => l.startsWith('VALIDSIG '));
    expect(validsig?.split(' ')[1]).toBe(p.practice.info.fingerprint);
    // no AEAD / SEIPDv2 that GnuPG 2.2 could not read: it decrypted. Check it was integrity-protected (MDC):
    expect(r.status.some((l) => l.startsWith('DECRYPTION_FAILED'))).toBe(false);
    expect(r.status.some((l) => l.startsWith('GOODMDC'))).toBe(true);

    const inner = await simpleParser(r.stdout);
    expect(inner.text).toContain(PHI_MARKERS[0]);
    expect(inner.text).toContain('Dürfen wir — unicode survives.');
    expect(inner.attachments).toHaveLength(1);
    const att = inner.attachments[0]!;
    expect(att.filename).toBe('record-1.pdf');
    expect(att.contentType).toBe('application/pdf');
    expect(Buffer.compare(att.content, p.pdf)).toBe(0);

    // The inner entity carries only Content-* headers; envelope headers belong outside.
    const innerHead = r.stdout.toString('latin1').split('\r\n\r\n')[0]!;
    expect(innerHead).toMatch(/^Content-Type: multipart\/mixed;/);
    expect(innerHead).not.toMatch(/^(Message-ID|Date|From|To|Subject):/im);

    if (hasPdftotext) {
      const dir = mkdtempSync(join(tmpdir(), 'rd-pgpmime-'));
      try {
        writeFileSync(join(dir, 'a.pdf'), att.content);
        expect(execFileSync('pdftotext', [join(dir, 'a.pdf'), '-']).toString()).toContain(PHI_MARKERS[1]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('is also encrypted to the practice key, so the practice can read its sent copy', async () => {
    const { raw } = await buildPgpMimeMessage(messageInput(p));
    const message = await openpgp.readMessage({ armoredMessage: armoredPart(raw) });
    const { data, signatures } = await openpgp.decrypt({
      message,
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: p.practice.armoredPrivate }),
      verificationKeys: await openpgp.readKey({ armoredKey: p.practice.armoredPublic }),
      format: 'binary',
      expectSigned: true,
    });
    await expect(signatures[0]!.verified).resolves.toBe(true);
    expect(Buffer.from(data as Uint8Array).toString('latin1')).toContain('Content-Type: application/pdf');
  });

  it('encodes non-ASCII display names and subject (RFC 2047) and generates a Message-ID in the From domain', async () => {
    const { raw, messageId } = await buildPgpMimeMessage(messageInput(p, { to: { name: 'Ñandú Lawfirm', address: RECIPIENT.address }, subject: 'Secure message from Clínica Qwerty' }));
    const head = outerHeaders(raw);
    expect(head).toMatch(/^To: =\?UTF-8\?[QB]\?.+\?= <intake@lawfirm\.example\.test>$/m);
    expect(head).toMatch(/^Subject: =\?UTF-8\?[QB]\?/m);
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@clinic\.example\.test>$/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Secure message from Clínica Qwerty');
    expect(parsed.messageId).toBe(messageId);
  });

  describe('refuses unsafe input before anything is encrypted', () => {
    const cases: [string, () => Partial<Parameters<typeof messageInput>[1]>, string][] = [
      ['CRLF + Bcc in the recipient address', () => ({ to: { name: 'X', address: 'intake@lawfirm.example.test\r\nBcc: spy@evil.example.test' } }), 'HEADER_INJECTION'],
      ['CRLF in the recipient name', () => ({ to: { name: 'X\r\nBcc: spy@evil.example.test', address: RECIPIENT.address } }), 'HEADER_INJECTION'],
      ['CRLF in the subject', () => ({ subject: 'Hello\r\nBcc: spy@evil.example.test' }), 'HEADER_INJECTION'],
      ['LF in an attachment file name', () => ({ attachments: [{ filename: 'a.pdf\nX-Evil: 1', content: Buffer.from('x'), contentType: 'application/pdf' }] }), 'HEADER_INJECTION'],
      ['an invalid recipient address', () => ({ to: { name: 'X', address: 'not-an-address' } }), 'INVALID_EMAIL'],
      ['a display-name string as address', () => ({ to: { name: '', address: 'X <intake@lawfirm.example.test>' } }), 'INVALID_EMAIL'],
      ['an invalid sender address', () => ({ from: { name: 'Clinic', address: 'records@' } }), 'INVALID_EMAIL'],
      ['a subject naming the recipient', () => ({ subject: `Records for ${RECIPIENT.name}` }), 'VALIDATION_FAILED'],
      ['a malformed content type', () => ({ attachments: [{ filename: 'a.pdf', content: Buffer.from('x'), contentType: 'pdf' }] }), 'VALIDATION_FAILED'],
      ['no encryption keys', () => ({ encryptionKeysArmored: [] }), 'VALIDATION_FAILED'],
      ['a malformed Message-ID', () => ({ messageId: '<a b@c>' }), 'HEADER_INJECTION'],
      ['an unreadable encryption key', () => ({ encryptionKeysArmored: ['garbage'] }), 'KEY_INVALID'],
    ];
    for (const [label, over, code] of cases) {
      it(label, async () => {
        const err = await buildPgpMimeMessage(messageInput(p, over())).then(
          () => null,
          (e: unknown) => e as { code: string; message: string },
        );
        expect(err?.code).toBe(code);
        expect(err?.message).not.toContain('evil');
        expect(err?.message).not.toContain('lawfirm');
      });
    }
  });
});
