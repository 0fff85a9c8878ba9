/**
 * checkPdf (used for scanned signed authorizations): a password-protected PDF is called password-protected,
 * a damaged one damaged — pdf-lib 1.17's EncryptedPDFError is not recognisable by class name, so the trailer decides.
 */
import { describe, expect, it } from 'vitest';
import { checkPdf } from '../../../src/main/services/documents/documents';
import { requireTool } from '../../support/tools';
import { plainPdf, qpdfEncrypt, workDir } from './fixtures';

describe.skipIf(!requireTool('qpdf'))('checkPdf tells protected from damaged', () => {
  it('a user-password PDF is refused as password-protected, an owner-restricted one too, a broken one as damaged', async () => {
    const w = workDir();
    try {
      const plain = await plainPdf('Synthetic signed form', 1);
      await expect(checkPdf(qpdfEncrypt(w.dir, plain, 'Synth-Pw-1'))).rejects.toMatchObject({ code: 'FILE_UNREADABLE', detail: { reason: 'encrypted' }, message: expect.stringMatching(/password-protected/) });
      await expect(checkPdf(qpdfEncrypt(w.dir, plain, ''))).rejects.toMatchObject({ detail: { reason: 'encrypted' } });
      await expect(checkPdf(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'))).rejects.toMatchObject({ detail: { reason: 'damaged' } });
      await expect(checkPdf(plain)).resolves.toMatchObject({ pageCount: 1 });
    } finally {
      w.cleanup();
    }
  });
});
