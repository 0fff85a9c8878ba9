/**
 * A real IMAP server for bounce tests: Dovecot in the foreground (`dovecot -F -c CONF`) on 127.0.0.1, implicit
 * TLS only (imaps, TLS ≥ 1.2) with a certificate from the same throwaway test CA as the SMTP test server, a
 * passwd-file passdb, a static userdb (uid/gid 65534) and a Maildir. Started and stopped by the test; needs root
 * (Dovecot drops privileges to its own users) and `dovecot` on PATH (Debian: dovecot-imapd).
 * `deliver(raw)` drops a message into the mailbox's Maildir `new/` the way an MDA would.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';
import { testPki } from './smtp';

export const IMAP_USER = 'bounces';
export const IMAP_PASSWORD = 'imap-test-secret-71';

export interface RunningDovecot {
  host: string;
  port: number;
  caPem: string;
  /** Put a message into the mailbox (unseen). */
  deliver(raw: Buffer): void;
  /** File names in Maildir/cur (seen or read) and new (not yet seen by any client). */
  maildir(): { cur: string[]; new: string[] };
  /** Dovecot's own log (for failure diagnostics only). */
  log(): string;
  stop(): Promise<void>;
}

/** Start Dovecot (see the module comment). @throws Error when it does not listen within 15 s */
export async function startDovecot(): Promise<RunningDovecot> {
  const pki = testPki();
  const dir = mkdtempSync(join(tmpdir(), 'rd-dovecot-'));
  chmodSync(dir, 0o755);
  const home = join(dir, 'home', IMAP_USER);
  const md = join(home, 'Maildir');
  for (const d of ['run', 'state', join('home', IMAP_USER, 'Maildir', 'cur'), join('home', IMAP_USER, 'Maildir', 'new'), join('home', IMAP_USER, 'Maildir', 'tmp')]) mkdirSync(join(dir, d), { recursive: true });
  for (const d of [join(dir, 'home'), home, md, join(md, 'cur'), join(md, 'new'), join(md, 'tmp')]) chownSync(d, 65534, 65534);
  writeFileSync(join(dir, 'server.pem'), pki.serverCert);
  writeFileSync(join(dir, 'server.key'), pki.serverKey, { mode: 0o600 });
  writeFileSync(join(dir, 'passwd'), `${IMAP_USER}:{PLAIN}${IMAP_PASSWORD}::::::\n`, { mode: 0o644 });
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <${dir}/server.pem
ssl_key = <${dir}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:${dir}/home/%u/Maildir
first_valid_uid = 65534
last_valid_uid = 65534
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${port}
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  const child = spawn('dovecot', ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const log = () => {
    try {
      return out + readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      return out;
    }
  };
  try {
    await waitForPort('dovecot', port, child, 15_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${log()}`, { cause: e });
  }
  let n = 0;
  return {
    host: '127.0.0.1',
    port,
    caPem: pki.caPem,
    deliver(raw) {
      const name = `${Date.now()}.M${++n}P${process.pid}.releasedesk-test`;
      const tmp = join(md, 'tmp', name);
      writeFileSync(tmp, raw, { mode: 0o600 });
      chownSync(tmp, 65534, 65534);
      // Maildir delivery: write in tmp/, then rename into new/.
      writeFileSync(join(md, 'new', name), raw, { mode: 0o600 });
      chownSync(join(md, 'new', name), 65534, 65534);
      rmSync(tmp);
    },
    maildir: () => ({ cur: readdirSync(join(md, 'cur')), new: readdirSync(join(md, 'new')) }),
    log,
    async stop() {
      if (child.exitCode === null) {
        const done = new Promise<void>((ok) => child.once('exit', () => ok()));
        child.kill('SIGTERM');
        await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
