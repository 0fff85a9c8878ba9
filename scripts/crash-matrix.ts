/**
 * `npm run crash-matrix`: kill the real send path at each point of a 4-part release (PGP/MIME and password PDF),
 * recover, and print what the mail server holds against what ReleaseDesk recorded (test/crash/matrix.ts).
 * Exit code 1 when any row is wrong.
 */
import { formatMatrix, runCrashMatrix } from '../test/crash/matrix';

void runCrashMatrix().then(
  (rows) => {
    process.stdout.write(`${formatMatrix(rows)}\n`);
    process.exit(rows.every((r) => r.ok) ? 0 : 1);
  },
  (e: unknown) => {
    process.stderr.write(`crash matrix failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
