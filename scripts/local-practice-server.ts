/**
 * A throwaway practice server on this computer, for trying the practice features in the development preview (or a
 * second preview, as a second workstation): a PostgreSQL cluster of its own in a temporary folder, listening on
 * 127.0.0.1 only, TLS required (a certificate from a CA made for it; plain connections refused), a `releasedesk` role
 * with a fixed development password (SCRAM). Nothing else on the machine is touched. Run with
 * `npm run practice-server:local`; Ctrl-C stops it and deletes its folder (its data is synthetic and temporary).
 *
 * It prints the values to enter under Settings → Practice server and writes the CA certificate to
 * `~/practice-server-ca.pem` (or RELEASEDESK_PRACTICE_CA_FILE) to paste from there; the file is removed when it stops.
 * When the server stops answering (killed), it says so, cleans up and exits 1. Needs Debian's `postgresql`
 * package (its server binaries); without it, it says so and exits 1.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { postgresBinDir, startPostgres } from '../test/support/postgres';

async function main(): Promise<void> {
  if (!postgresBinDir()) {
    console.error('PostgreSQL server binaries were not found. Install them first (Debian: apt install postgresql).');
    process.exit(1);
  }
  const pg = await startPostgres();
  const caFile = process.env.RELEASEDESK_PRACTICE_CA_FILE ?? join(homedir(), 'practice-server-ca.pem');
  writeFileSync(caFile, pg.caPem, { mode: 0o644 });
  console.log(
    [
      'A local practice server is running (TLS required). In the preview: Settings → Practice server:',
      `  Server:    ${pg.host}`,
      `  Port:      ${pg.port}`,
      `  Database:  ${pg.database}`,
      `  User:      ${pg.user}`,
      `  Password:  ${pg.password}`,
      `  CA certificate: paste the contents of ${caFile}`,
      'Then "Test practice server connection", "Save and connect" and "Join". Ctrl-C stops the server and deletes its data.',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    rmSync(caFile, { force: true });
    void pg.stop().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  // Say so, and clean up, when the server stops answering (killed, out of disk): two failed checks 5 s apart.
  let misses = 0;
  setInterval(() => {
    const c = connect({ host: pg.host, port: pg.port }, () => {
      misses = 0;
      c.end();
    });
    c.on('error', () => {
      if (++misses < 2) return;
      console.error('The local practice server stopped answering; it has been cleaned up. Start it again with npm run practice-server:local.');
      stop(1);
    });
  }, 5_000);
  await new Promise(() => undefined);
}

void main();
