/**
 * The verified SMTP session: the one place that builds SMTP connections (implicit TLS, or plain +
 * mandatory STARTTLS), enforces verified TLS ≥ 1.2, reads the negotiated protocol and cipher, tracks the
 * session's phase from nodemailer's transaction log, and authenticates. Used by sendRawMessage and
 * testSmtpConnection (smtp.ts) so sending and the settings test cannot drift apart.
 */
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, DEFAULT_CIPHERS, TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { AppError } from '../../../shared/errors';
import type { SmtpPhase } from '../../../shared/smtp-failures';
import { classifySmtpFailure, tlsModeMismatch, type SmtpFailureContext } from './smtp-errors';
import type { SendOptions, SmtpSettings } from './smtp-types';

const TLS_FLOOR = 'TLSv1.2';
const ACCEPTABLE_PROTOCOLS = new Set(['TLSv1.2', 'TLSv1.3']);
/** Smallest RSA modulus accepted in a server certificate (NIST SP 800-52 Rev. 2 §3.3.2: 112-bit security). */
const MIN_RSA_BITS = 2048;
/** With STARTTLS settings, how long to wait for the greeting before checking whether the port speaks TLS (ms). */
const GREETING_PROBE_AFTER_MS = 1500;
/** Longest the TLS probe may take (ms). Together with the wait above this keeps a TLS-mode mismatch under 5 s. */
const GREETING_PROBE_TIMEOUT_MS = 2500;

/** A connected, TLS-verified and authenticated SMTP session, ready for MAIL FROM. */
export interface VerifiedSession {
  connection: SMTPConnection;
  transcript: SessionTranscript;
  tlsProtocol: string;
  tlsCipher: string;
  /** Run one SMTP step, racing against connection-level 'error' / 'end' events. */
  step<T>(run: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T>;
  /** Polite end (QUIT). */
  quit(): void;
  /** Hard close after a failure. */
  abort(): void;
}

type Verb = 'EHLO' | 'STARTTLS' | 'AUTH' | 'MAIL' | 'RCPT' | 'DATA' | 'DOT' | 'QUIT' | 'OTHER';
const VERB_PHASE: Record<Verb, SmtpPhase | null> = {
  EHLO: 'greeting',
  STARTTLS: 'tls',
  AUTH: 'auth',
  MAIL: 'mail',
  RCPT: 'rcpt',
  DATA: 'data',
  DOT: 'reply',
  QUIT: null,
  OTHER: null,
};

/**
 * Where the session stands, read from nodemailer's transaction log (its documented `logger` +
 * `transactionLog` options): every command sent, every reply read, and the moment the message
 * stream — including the final "." — was handed to the socket. Only verbs, reply counts and the
 * advertised SIZE are kept; addresses and reply texts are dropped on the spot.
 */
export class SessionTranscript {
  /** TCP (and, for implicit TLS, the TLS handshake) is up. */
  established = false;
  /** Replies read on this connection (the greeting is the first). */
  replies = 0;
  /** The final "." of DATA was written: every byte of the message may have reached the server. */
  dotWritten = false;
  /** SIZE advertised in the latest EHLO reply after TLS: null = no SIZE extension, 0 = no fixed limit. */
  maxMessageBytes: number | null = null;
  private pending: Verb[] = [];
  private last: Verb | null = null;
  private upgrading = false;
  private readonly listeners: (() => void)[] = [];
  /** Called once when the final "." was written. */
  onDotWritten: (() => void) | null = null;

  constructor(private readonly security: 'starttls' | 'tls') {}

  /** Call `fn` on the first reply (the greeting). */
  onFirstReply(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** A bunyan-style logger for SMTPConnection's `logger` option. */
  readonly logger = ((): Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', (entry: unknown, message?: unknown) => void> => {
    const log = (entry: unknown, message?: unknown) => this.observe(entry, message);
    return { trace: log, debug: log, info: log, warn: log, error: log, fatal: log };
  })();

  private observe(entry: unknown, message: unknown): void {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as { tnx?: unknown; remotePort?: unknown };
    const msg = typeof message === 'string' ? message : '';
    if (e.tnx === 'network' && e.remotePort !== undefined) {
      this.established = true;
    } else if (e.tnx === 'client') {
      const word = /^[A-Za-z]+/.exec(msg)?.[0]?.toUpperCase() ?? '';
      const verb: Verb = word === 'EHLO' || word === 'HELO' ? 'EHLO' : (['STARTTLS', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT'] as const).find((v) => v === word) ?? (this.last === 'AUTH' ? 'AUTH' : 'OTHER');
      this.pending.push(verb);
      this.last = verb;
      this.upgrading = false;
    } else if (e.tnx === 'server') {
      this.replies++;
      const answered = this.pending.shift();
      if (answered === 'STARTTLS' && /^2/.test(msg)) {
        this.upgrading = true;
        this.maxMessageBytes = null; // RFC 3207 §4.2: forget what the server said before TLS
      }
      if (answered === 'EHLO' && /^2/.test(msg)) {
        const size = /^\d{3}[ -]SIZE(?:[ \t]+(\d+))?[ \t]*$/im.exec(msg);
        this.maxMessageBytes = size ? Number(size[1] ?? 0) : null;
      }
      if (this.replies === 1) for (const fn of this.listeners.splice(0)) fn();
    } else if (e.tnx === 'message') {
      // Logged when the message stream ended: its last chunk, "\r\n.\r\n", was handed to the socket.
      this.dotWritten = true;
      this.pending.push('DOT');
      this.last = 'DOT';
      this.onDotWritten?.();
    }
  }

  /** The session's phase now (see SMTP_PHASES). */
  phase(): SmtpPhase {
    if (this.dotWritten) return 'reply';
    if (!this.established) return 'connect';
    if (this.upgrading) return 'tls';
    const verb = this.pending[0] ?? this.last;
    return (verb && VERB_PHASE[verb]) || 'greeting';
  }

  /** The context {@link classifySmtpFailure} needs. */
  context(): SmtpFailureContext {
    return { security: this.security, phase: this.phase(), greeted: this.replies > 0, dotWritten: this.dotWritten, maxMessageBytes: this.maxMessageBytes };
  }
}

/**
 * TLS options for every connection: TLS ≥ 1.2, verified chain and host name, OpenSSL security level 2
 * (RSA/DH ≥ 2048 bits, no SHA-1 signatures in the chain), and our own check of the leaf key size so the
 * floor holds whatever OpenSSL configuration Node runs with.
 * @source NIST SP 800-52 Rev. 2 §3.1 (versions), §3.3.2 (≥ 112-bit keys), §3.5 (certificate checks); RFC 6125.
 */
function tlsOptionsFor(opts: SendOptions): ConnectionOptions {
  return {
    minVersion: TLS_FLOOR,
    rejectUnauthorized: true,
    ciphers: `${DEFAULT_CIPHERS}:@SECLEVEL=2`,
    checkServerIdentity: (host: string, cert: PeerCertificate) => {
      const err = checkServerIdentity(host, cert);
      if (err) return err;
      if (cert.modulus && typeof cert.bits === 'number' && cert.bits < MIN_RSA_BITS) {
        return Object.assign(new Error('EE certificate key too weak'), { code: 'ERR_RD_CERT_KEY_TOO_WEAK' });
      }
      return undefined;
    },
    ...(opts.ca ? { ca: opts.ca } : {}),
  };
}

/**
 * Does the port answer a TLS ClientHello? Used only when STARTTLS settings got no greeting: an
 * implicit-TLS port (465) waits silently for the client to start TLS. A separate connection that
 * sends nothing but the handshake and is closed at once; the session itself is never downgraded.
 * @returns 'tls' (handshake or a TLS-level refusal), 'plain' (a cleartext reply), 'unknown' (silence, reset).
 */
function probePortSpeaksTls(host: string, port: number, tlsOptions: ConnectionOptions, timeoutMs: number): Promise<'tls' | 'plain' | 'unknown'> {
  return new Promise((resolve) => {
    const sock = tlsConnect({ ...tlsOptions, host, port, ...(isIP(host) ? {} : { servername: host }) });
    const done = (r: 'tls' | 'plain' | 'unknown') => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      sock.on('error', () => undefined);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('unknown'), timeoutMs);
    sock.once('secureConnect', () => done('tls'));
    sock.once('error', (e: NodeJS.ErrnoException) => {
      const text = `${e.code ?? ''} ${e.message}`;
      if (/wrong version number|packet length too long|unknown protocol|http request/i.test(text)) return done('plain');
      if (/^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(e.code ?? '')) return done('unknown');
      done('tls'); // certificate, protocol-version or alert errors: the peer speaks TLS
    });
  });
}

/**
 * Connect (implicit TLS, or plain + mandatory STARTTLS), check the socket is verified TLS ≥ 1.2,
 * read protocol and cipher, and AUTH. The one place that builds SMTP connections, so sending and
 * the settings test cannot drift apart. With STARTTLS settings and no greeting after
 * {@link GREETING_PROBE_AFTER_MS}, a TLS probe tells an implicit-TLS port apart (SMTP_TLS_MODE_MISMATCH).
 * @throws AppError as classified by {@link classifySmtpFailure} (the connection is closed first).
 */
export async function openVerifiedSession(settings: SmtpSettings, opts: SendOptions): Promise<VerifiedSession> {
  const timeout = opts.timeoutMs ?? 30_000;
  const tlsOptions = tlsOptionsFor(opts);
  const transcript = new SessionTranscript(settings.security);

  const connection = new SMTPConnection({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: false,
    opportunisticTLS: false,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    socketCloseTimeout: 1000,
    // The transaction log (commands and replies, never the message: `debug` stays off) feeds the
    // transcript, which keeps only verbs, counts and SIZE.
    logger: transcript.logger as never,
    transactionLog: true,
    debug: false,
    tls: tlsOptions,
  });
  // SMTPConnection reports connection-level failures (TLS, socket, timeouts) only as an 'error'
  // event, not through the pending callback: every step races against it.
  let failed: ((e: unknown) => void) | null = null;
  let firstError: unknown = null;
  connection.on('error', (e: unknown) => {
    firstError ??= e;
    failed?.(e);
  });
  connection.on('end', () => failed?.(firstError ?? Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })));
  const step = <T>(run: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (firstError) return reject(firstError);
      failed = reject;
      run(resolve, reject);
    });

  // STARTTLS settings against an implicit-TLS port: no greeting ever comes. Probe the port after a short wait.
  let probeTimer: NodeJS.Timeout | null = null;
  if (settings.security === 'starttls') {
    let greeted = false;
    transcript.onFirstReply(() => (greeted = true));
    probeTimer = setTimeout(() => {
      void probePortSpeaksTls(settings.host, settings.port, tlsOptions, Math.min(GREETING_PROBE_TIMEOUT_MS, timeout)).then((kind) => {
        if (kind === 'tls' && !greeted) failed?.(tlsModeMismatch('starttls', 'greeting'));
      });
    }, Math.min(GREETING_PROBE_AFTER_MS, Math.floor(timeout / 2)));
  }

  try {
    await step<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
    if (probeTimer) clearTimeout(probeTimer);
    const { tlsProtocol, tlsCipher } = readTlsFacts(connection);

    await step<void>((resolve, reject) =>
      connection.login({ user: settings.username, pass: settings.password }, (err) => (err ? reject(err) : resolve())),
    );
    return {
      connection,
      transcript,
      tlsProtocol,
      tlsCipher,
      step,
      quit: () => {
        failed = null;
        connection.quit();
      },
      abort: () => {
        failed = null;
        connection.close();
      },
    };
  } catch (e) {
    if (probeTimer) clearTimeout(probeTimer);
    const ctx = transcript.context();
    failed = null;
    connection.close();
    throw classifySmtpFailure(e, ctx);
  }
}

/**
 * Read protocol and cipher from the connection's TLS socket. Refuses (and so
 * nothing is sent) when the socket is not TLS, not authorized, or the facts
 * cannot be read: a send is never recorded without them.
 */
const TLS_DETAIL = { phase: 'tls', transient: false } as const;

function readTlsFacts(connection: SMTPConnection): { tlsProtocol: string; tlsCipher: string } {
  const socket = connection._socket;
  if (!connection.secure || !(socket instanceof TLSSocket) || !socket.encrypted) {
    throw new AppError('TLS_REQUIRED', 'The connection to the mail server is not encrypted, so nothing was sent.', TLS_DETAIL);
  }
  if (!socket.authorized) {
    throw new AppError('TLS_CERT_UNTRUSTED', 'The mail server\'s certificate could not be verified, so nothing was sent.', { ...TLS_DETAIL, reason: 'invalid' });
  }
  const protocol = socket.getProtocol();
  const cipher = socket.getCipher()?.name;
  if (!protocol || !cipher) {
    throw new AppError('TLS_REQUIRED', 'The encryption details of the connection could not be read, so nothing was sent.', TLS_DETAIL);
  }
  if (!ACCEPTABLE_PROTOCOLS.has(protocol)) {
    throw new AppError('TLS_PROTOCOL_TOO_OLD', 'The mail server only offers an outdated encryption protocol (older than TLS 1.2), so nothing was sent.', TLS_DETAIL);
  }
  return { tlsProtocol: protocol, tlsCipher: cipher };
}
