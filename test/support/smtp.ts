/**
 * A real SMTP server (smtp-server 3.21.6) on 127.0.0.1 and a random port, with
 * STARTTLS on a certificate from a throwaway CA made by `openssl`, DSN
 * advertised, AUTH PLAIN/LOGIN and every accepted message kept in memory.
 *
 *   const srv = await startSmtpServer();
 *   await sendRawMessage({ host: '127.0.0.1', port: srv.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
 *                        envelope, raw, { ca: [srv.caPem] });
 *   expect(srv.received[0].raw) ...
 *   await srv.close();
 *
 * Requires `openssl` on PATH (check with requireTool('openssl')).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAddress, type SMTPServerOptions } from 'smtp-server';

export const SMTP_USER = 'frontdesk@clinic.example.test';
export const SMTP_PASSWORD = 'correct horse battery staple';

export interface StartSmtpServerOptions {
  /** Offer STARTTLS (default true). false: the command is disabled entirely (`disabledCommands`), not merely hidden. */
  starttls?: boolean;
  /** Implicit TLS from the first byte (port-465 style) instead of STARTTLS. Default false. */
  implicitTls?: boolean;
  /** Serve a certificate signed by a different CA than the returned `caPem` (a client trusting only `caPem` must refuse). */
  untrustedCert?: boolean;
  /** Serve a certificate from the trusted CA but issued for another host name (mail.other.example.test): a host-name mismatch. */
  wrongHostCert?: boolean;
  /** Restrict the server to this highest TLS version, e.g. 'TLSv1.1' for a legacy server. */
  maxTlsVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** Recipients the server refuses at RCPT TO with 550. */
  rejectRecipients?: string[];
  /** Recipients the server defers at RCPT TO with 451 (greylisting): a temporary refusal. */
  deferRecipients?: string[];
  /** Credentials the server accepts (default SMTP_USER / SMTP_PASSWORD). */
  user?: { username: string; password: string };
  /** Serve this key and certificate (PEM) instead of the standard one, e.g. from smtp-certs.ts (expired, weak key …). */
  serverCert?: { key: string; cert: string };
  /** Advertise and enforce this message size limit in bytes (EHLO `SIZE n`, RFC 1870). */
  size?: number;
  /** Refuse the DATA of the n-th message (0-based count of messages this server saw) with 451; e.g. 1 rejects the second. */
  rejectDataAt?: number[];
  /** Keep the n-th message (0-based) but never answer its DATA: a reply lost after the server stored it. */
  silentAfterDataAt?: number[];
  /** Advertise this SIZE (RFC 1870) and refuse larger messages. */
  sizeLimit?: number;
  /** Listen on this port (default 0: a free one), e.g. to bring a server "back" where the app expects it. */
  port?: number;
  /** Do not advertise SMTPUTF8 (RFC 6531) in the EHLO reply (smtp-server offers it by default). */
  hideSmtpUtf8?: boolean;
  /** Count each message's bytes but keep none of them (`raw` stays empty): a sink for large benchmark runs. */
  discard?: boolean;
  /** Awaited before the server answers the n-th MAIL FROM (0-based): a test can stop the client right there. */
  onMailFrom?: (n: number) => Promise<void>;
}

/** One message the server accepted. */
export interface Msg {
  /** MAIL FROM address. */
  mailFrom: string;
  /** MAIL FROM parameters as the client sent them, upper-case keys: e.g. { RET: 'HDRS', ENVID: '...' }. */
  mailFromArgs: Record<string, string>;
  /** RCPT TO addresses. */
  rcptTo: string[];
  /** RCPT TO parameters per recipient, e.g. [{ NOTIFY: 'FAILURE,DELAY' }]. */
  rcptToArgs: Record<string, string>[];
  /** smtp-server's parsed DSN view: { ret, envid } and per recipient { notify, orcpt }. */
  dsn: { ret: string | null; envid: string | null; notify: string[][] };
  /** The message bytes as received (DATA, dot-unstuffed); empty with `discard`. */
  raw: Buffer;
  /** How many bytes DATA carried (dot-unstuffed). */
  sizeBytes: number;
  /** True when the session was TLS when the message arrived. */
  secure: boolean;
  /** Negotiated TLS protocol of that session, e.g. 'TLSv1.3'. */
  tlsProtocol: string | null;
  /** Authenticated user name. */
  user: string | null;
}

export interface RunningSmtpServer {
  port: number;
  /** Every command line the client sent, as it came over the wire (smtp-server redacts AUTH credentials), e.g. 'RCPT TO:<a@xn--…> NOTIFY=…'. */
  commands: string[];
  /** PEM of the CA the client should trust (the one that signed the certificate, unless `untrustedCert`). */
  caPem: string;
  received: Msg[];
  /** Number of AUTH attempts, successful or not (0 proves the password never reached the server). */
  authAttempts: number;
  close(): Promise<void>;
}

/** The throwaway test PKI (one per process): the trusted CA with its key, its server certificate, and the others. */
export interface Pki {
  caPem: string;
  /** The trusted CA's private key (PEM), to issue further test certificates (see smtp-certs.ts). */
  caKey: string;
  serverKey: string;
  serverCert: string;
  otherKey: string;
  otherCert: string;
  wrongHostKey: string;
  wrongHostCert: string;
}

let pkiCache: Pki | null = null;

/** Make two CAs and a server certificate from each (127.0.0.1 + localhost), once per process. P-256 keys: fast. */
export function testPki(): Pki {
  return pki();
}

function pki(): Pki {
  if (pkiCache) return pkiCache;
  const dir = mkdtempSync(join(tmpdir(), 'rd-smtp-pki-'));
  try {
    const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    for (const name of ['ca', 'other-ca']) {
      ossl(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=ReleaseDesk Test ${name}`]);
      const srv = `${name}-server`;
      ossl(['req', ...ec, '-keyout', `${srv}.key`, '-out', `${srv}.csr`, '-subj', '/CN=localhost']);
      ossl(['x509', '-req', '-in', `${srv}.csr`, '-CA', `${name}.pem`, '-CAkey', `${name}.key`, '-CAcreateserial', '-out', `${srv}.pem`, '-days', '2', '-extfile', 'ext.cnf']);
    }
    writeFileSync(join(dir, 'ext-other.cnf'), 'subjectAltName=DNS:mail.other.example.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    ossl(['req', ...ec, '-keyout', 'wrong.key', '-out', 'wrong.csr', '-subj', '/CN=mail.other.example.test']);
    ossl(['x509', '-req', '-in', 'wrong.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'wrong.pem', '-days', '2', '-extfile', 'ext-other.cnf']);
    const r = (f: string) => readFileSync(join(dir, f), 'utf8');
    pkiCache = {
      caPem: r('ca.pem'),
      caKey: r('ca.key'),
      serverKey: r('ca-server.key'),
      serverCert: r('ca-server.pem'),
      otherKey: r('other-ca-server.key'),
      otherCert: r('other-ca-server.pem'),
      wrongHostKey: r('wrong.key'),
      wrongHostCert: r('wrong.pem'),
    };
    return pkiCache;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argsOf = (a: SMTPServerAddress): Record<string, string> => {
  const out: Record<string, string> = {};
  const args = (a.args || {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(args)) out[k.toUpperCase()] = String(v);
  return out;
};

/** A bunyan-style logger for smtp-server that keeps only the client's command lines ('C:' debug entries). */
function commandLogger(commands: string[]) {
  const quiet = () => undefined;
  return {
    info: quiet,
    warn: quiet,
    error: quiet,
    trace: quiet,
    fatal: quiet,
    child: () => commandLogger(commands),
    debug: (_meta: unknown, tag?: unknown, line?: unknown) => {
      if (tag === 'C:' && typeof line === 'string') commands.push(line);
    },
  };
}

/** Start the server; resolves once it listens. Always `close()` it (afterEach/afterAll). */
export async function startSmtpServer(opts: StartSmtpServerOptions = {}): Promise<RunningSmtpServer> {
  const p = pki();
  const user = opts.user ?? { username: SMTP_USER, password: SMTP_PASSWORD };
  const received: Msg[] = [];
  const commands: string[] = [];
  const state = { authAttempts: 0 };
  const reject = new Set((opts.rejectRecipients ?? []).map((r) => r.toLowerCase()));
  const defer = new Set((opts.deferRecipients ?? []).map((r) => r.toLowerCase()));
  const rejectData = new Set(opts.rejectDataAt ?? []);
  const silentData = new Set(opts.silentAfterDataAt ?? []);
  let dataCount = 0;
  let mailFromCount = 0;

  const tlsLimits: Partial<SMTPServerOptions> = opts.maxTlsVersion
    ? // Legacy protocol versions need OpenSSL security level 0 on Debian 12.
      ({ maxVersion: opts.maxTlsVersion, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as Partial<SMTPServerOptions>)
    : {};

  const server = new SMTPServer({
    secure: opts.implicitTls ?? false,
    key: opts.serverCert?.key ?? (opts.untrustedCert ? p.otherKey : opts.wrongHostCert ? p.wrongHostKey : p.serverKey),
    cert: opts.serverCert?.cert ?? (opts.untrustedCert ? p.otherCert : opts.wrongHostCert ? p.wrongHostCert : p.serverCert),
    ...(opts.size !== undefined ? { size: opts.size } : {}),
    // A deliberately weak certificate (SHA-1, RSA-1024) must load on the server side; the client judges it.
    ...(opts.serverCert && !opts.maxTlsVersion ? ({ ciphers: 'DEFAULT@SECLEVEL=0' } as Partial<SMTPServerOptions>) : {}),
    ...tlsLimits,
    disabledCommands: opts.starttls === false ? ['STARTTLS'] : [],
    // Only so the no-STARTTLS server can show that our client never even tries AUTH in cleartext.
    allowInsecureAuth: opts.starttls === false,
    hideDSN: false,
    ...(opts.hideSmtpUtf8 ? ({ hideSMTPUTF8: true } as Partial<SMTPServerOptions>) : {}),
    ...(opts.sizeLimit ? { size: opts.sizeLimit } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    // Keep the client's command lines as sent: smtp-server's parsed addresses turn A-labels back into Unicode.
    logger: commandLogger(commands) as SMTPServerOptions['logger'],
    onAuth(auth, _session, cb) {
      state.authAttempts++;
      if (auth.username === user.username && auth.password === user.password) return cb(null, { user: auth.username });
      return cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, cb) {
      const n = mailFromCount++;
      if (!opts.onMailFrom) return cb();
      void opts.onMailFrom(n).then(() => cb(), () => cb());
    },
    onRcptTo(address, _session, cb) {
      if (reject.has(address.address.toLowerCase())) return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      if (defer.has(address.address.toLowerCase())) return cb(Object.assign(new Error('4.7.1 Greylisted, try again later'), { responseCode: 451 }));
      return cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      const index = dataCount++;
      let sizeBytes = 0;
      stream.on('data', (c: Buffer) => {
        sizeBytes += c.length;
        if (!opts.discard) chunks.push(c);
      });
      stream.on('end', () => {
        if (rejectData.has(index)) return cb(Object.assign(new Error('Temporary local problem'), { responseCode: 451 }));
        const env = session.envelope as typeof session.envelope & {
          dsn?: { ret?: string | null; envid?: string | null };
        };
        const rcpts = env.rcptTo as (SMTPServerAddress & { dsn?: { notify?: string[] } })[];
        const mailFrom = env.mailFrom === false ? '' : env.mailFrom.address;
        received.push({
          mailFrom,
          mailFromArgs: env.mailFrom === false ? {} : argsOf(env.mailFrom),
          rcptTo: rcpts.map((r) => r.address),
          rcptToArgs: rcpts.map(argsOf),
          dsn: { ret: env.dsn?.ret ?? null, envid: env.dsn?.envid ?? null, notify: rcpts.map((r) => r.dsn?.notify ?? []) },
          raw: Buffer.concat(chunks),
          sizeBytes,
          secure: session.secure,
          tlsProtocol: (session as unknown as { tlsOptions?: { version?: string } }).tlsOptions?.version ?? null,
          user: (session.user as string | undefined) ?? null,
        });
        if (silentData.has(index)) return; // stored, but the answer never comes
        cb(null, 'OK: queued as TEST');
      });
    },
  });

  await new Promise<void>((resolve, reject2) => {
    server.once('error', reject2);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  // Errors after start (client resets, TLS alerts from refused handshakes) are expected in these tests.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    commands,
    port,
    caPem: p.caPem,
    received,
    get authAttempts() {
      return state.authAttempts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
