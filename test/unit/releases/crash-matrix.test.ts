/**
 * A release happens once and is recorded as it happened, whatever moment the app dies: the real send path runs in
 * a child process that is SIGKILLed at each point of part 2 of a 4-part release (test/crash/matrix.ts); after
 * recovery at unlock, staff's decision where the delivery is unconfirmed, and the outbox's automatic delivery, the
 * mail server holds each part once (twice with the same Message-ID only where staff chose "resend"), the record
 * matches, the audit chain verifies, and a password PDF's parts all open with the one kept passphrase.
 */
import { describe, expect, it } from 'vitest';
import { requireTool } from '../../support/tools';
import { formatMatrix, runCrashMatrix, type Method } from '../../crash/matrix';

const HAVE = ['gpg', 'openssl', 'qpdf'].every((t) => requireTool(t));

describe.skipIf(!HAVE)('a crash at any point of a send never loses or duplicates a part', () => {
  for (const method of ['openpgp-pgp-mime', 'password-pdf'] as Method[]) {
    it(`${method}: killed before connect, after MAIL FROM, mid-DATA, after 250, between parts — each part delivered once, record exact`, async () => {
      const rows = await runCrashMatrix([method]);
      console.log(`\n${formatMatrix(rows)}\n`);
      expect(rows.filter((r) => !r.ok).map((r) => `${r.point}/${r.resolve}: ${r.problems.join('; ')}`)).toEqual([]);
      expect(rows).toHaveLength(6);
    }, 600_000);
  }
});
