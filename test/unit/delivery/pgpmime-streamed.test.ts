import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { buildInnerEntity, buildPgpMimeMessage, type StreamedAttachment } from '../../../src/main/services/delivery/pgpmime';
import { requireTool } from '../../support/tools';
import { armoredPart, makeParties, messageInput, type Parties } from './fixtures';

const hasGpg = requireTool('gpg');

/** `bytes` as a chunk source cut every `cut` bytes (the vault stores 1 MiB chunks; odd cuts test the base64 carry). */
function chunked(filename: string, bytes: Buffer, cut: number): StreamedAttachment {
  return {
    filename,
    contentType: 'application/pdf',
    sizeBytes: bytes.length,
    *chunks() {
      for (let at = 0; at < bytes.length; at += cut) yield bytes.subarray(at, Math.min(bytes.length, at + cut));
    },
  };
}

/** The entity with its MIME boundary replaced by a fixed one (MailComposer draws a random boundary per build). */
function sameBoundary(entity: Buffer): string {
  const s = entity.toString('latin1');
  const b = /boundary="([^"]+)"/.exec(s)![1]!;
  return s.split(b).join('BOUNDARY');
}

describe.skipIf(!hasGpg)('PGP/MIME with record files read from the vault chunk by chunk', () => {
  let p: Parties;
  beforeAll(async () => {
    p = await makeParties();
  });
  afterAll(() => p?.gpg.cleanup());

  it.each([
    [0, 1024],
    [1, 1024],
    [56, 5],
    [57, 57],
    [58, 7],
    [114, 113],
    [1000, 333],
    [3 * 2 ** 20 + 5, 2 ** 20],
  ])('a %i-byte file cut into %i-byte chunks: gpg decrypts and verifies, and the entity inside is byte for byte the in-memory one', async (size, cut) => {
    const file = randomBytes(size);
    const input = messageInput(p, {
      attachments: [chunked('record-1.pdf', file, cut), { filename: 'practice-key.asc', content: Buffer.from(p.practice.armoredPublic), contentType: 'application/pgp-keys' }, chunked('record-2.pdf', p.pdf, 4096)],
    });
    const { raw } = await buildPgpMimeMessage(input);
    const r = p.gpg.decrypt(armoredPart(raw));
    expect(r.exitCode, r.status.join('\n')).toBe(0);
    expect(r.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
    expect(r.status.some((l) => l.startsWith('GOODMDC'))).toBe(true);
    const expected = await buildInnerEntity({
      textBody: input.textBody,
      attachments: [
        { filename: 'record-1.pdf', content: file, contentType: 'application/pdf' },
        { filename: 'practice-key.asc', content: Buffer.from(p.practice.armoredPublic), contentType: 'application/pgp-keys' },
        { filename: 'record-2.pdf', content: p.pdf, contentType: 'application/pdf' },
      ],
    });
    expect(sameBoundary(r.stdout)).toBe(sameBoundary(expected));
  });

  it('a file whose chunks fail their integrity check stops the composition with that error, and no message comes out', async () => {
    const bad: StreamedAttachment = {
      filename: 'record-1.pdf',
      contentType: 'application/pdf',
      sizeBytes: 3 * 2 ** 20,
      *chunks() {
        yield randomBytes(2 ** 20);
        throw new Error('document integrity check failed');
      },
    };
    await expect(buildPgpMimeMessage(messageInput(p, { attachments: [bad] }))).rejects.toThrow('document integrity check failed');
  });
});
