import { describe, expect, it } from 'vitest';
import { encryptPdfAes256 } from '../../../src/main/services/packaging/encrypt';
import { requireTool } from '../../support/tools';
import { pdfText, recordPdf, run, tempDir, writeTmp } from './packet-fixtures';

const tools = ['qpdf', 'pdftotext'].every((t) => requireTool(t));

// Regression: passwords were passed to qpdf positionally, so one starting with "-" was taken for an
// option and encryption failed — for the random base64url owner password, 1 call in 64. The R6 writer
// is our own now (qpdf-wasm is only the fallback), and such passwords must still work.
describe.skipIf(!tools)('encryptPdfAes256 takes passwords that look like options', () => {
  it('encrypts with a user password that starts with "-" and opens with it', async () => {
    const t = tempDir();
    try {
      const p = writeTmp(t.dir, 'dash.pdf', await encryptPdfAes256(await recordPdf(1), '-leading-dash'));
      expect(run('qpdf', ['--show-encryption', '--password=-leading-dash', p]).stdout).toContain('R = 6');
      expect(pdfText(p, { password: '-leading-dash' }).text).toContain('Record page 1 of 1');
    } finally {
      t.cleanup();
    }
  });
});
