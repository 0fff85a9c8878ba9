/**
 * The connection to the practice's PostgreSQL server (issue #17): the `pg.PoolConfig` built from the stored
 * settings, the CA check, the connection test, and the mapping of every driver, socket and TLS failure to a coded,
 * PHI-free {@link AppError} (never the library's text: it can carry host names, user names or server replies).
 *
 * TLS is required and verified, whatever the server allows: the CA the practice's IT provider gives is the only
 * trust anchor (the system's roots are not used), the certificate must name the host the workstation connects to,
 * TLS 1.2 or newer. A server that offers no TLS is refused before any password is sent. SCRAM with channel binding
 * (SCRAM-SHA-256-PLUS, RFC 5802 §6 / RFC 5929 tls-server-end-point) is used when the server offers it.
 *
 * Source: 45 CFR 164.312(e)(1) transmission security and (e)(2)(ii) encryption; 164.312(d) person or entity
 * authentication (the server by its certificate, the workstation by the role's password); NIST SP 800-52 Rev. 2
 * chapter 4 (TLS clients: TLS 1.2 or newer, server certificate validation); PostgreSQL 15 documentation, libpq "SSL Support"
 * (`sslmode=verify-full` is the equivalent of what this builds) and Frontend/Backend Protocol "SSL Session Encryption"
 * (the SSLRequest is answered 'S' or 'N' before any credential is sent).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import pg from 'pg';
import { AppError } from '../../../shared/errors';
import { readSessionTls } from './server-check-repo';

/** The practice server as stored (no password: it is given separately, from the vault). */
export interface PracticeServerSettings {
  host: string;
  /** TCP port, 1–65535. */
  port: number;
  database: string;
  user: string;
  /** The CA certificate(s), PEM, that the server's certificate must chain to. */
  caPem: string;
}

/** Timeouts and pool size of a practice-server pool. */
export interface PracticeConnectionOptions {
  /** Milliseconds to establish a connection (TCP, TLS, sign-in) before PRACTICE_SERVER_TIMEOUT. Default 10 000. */
  connectTimeoutMs?: number;
  /** Milliseconds a statement may run (server-side `statement_timeout` and the client's read timeout). Default 30 000. */
  statementTimeoutMs?: number;
  /** Connections in the pool. Default 4. */
  max?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** The PEM certificate blocks of a text, in order. */
function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** SHA-256 of a certificate's DER, upper-case hex in colon-separated pairs ("AB:CD:…"). */
export function certificateFingerprint(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex').toUpperCase().match(/.{2}/g)!.join(':');
}

/**
 * Check the CA certificate text an administrator pasted: every PEM block parses as X.509, at least one is a CA
 * (basicConstraints CA:TRUE) and none has expired. Nothing else is kept from the text than the certificates.
 * @param pem PEM text (bounded and key-free by the contract's `CaPem`)
 * @param now the current time (expiry check)
 * @returns the normalised PEM (certificate blocks only, LF line ends) and the first certificate's SHA-256 fingerprint
 * @throws AppError PRACTICE_SERVER_CA_INVALID (detail.reason: 'not_pem' — no certificate block at all; 'unreadable' — a
 *   block that is no X.509 certificate; 'not_a_ca' — a real certificate without CA:TRUE, e.g. the server's own; 'expired')
 * @source RFC 5280 §4.2.1.9 (basicConstraints), §4.1.2.5 (validity); 45 CFR 164.312(e)(1).
 */
export function checkCaPem(pem: string, now: Date): { caPem: string; fingerprint: string } {
  const blocks = pemBlocks(pem);
  const certs: X509Certificate[] = [];
  for (const b of blocks) {
    try {
      certs.push(new X509Certificate(b));
    } catch {
      throw new AppError('PRACTICE_SERVER_CA_INVALID', 'The CA certificate could not be read. Paste the whole certificate your IT provider gave you, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.', { reason: 'unreadable' });
    }
  }
  if (certs.length === 0) {
    throw new AppError(
      'PRACTICE_SERVER_CA_INVALID',
      'This is not a certificate in PEM form (it should begin with -----BEGIN CERTIFICATE----- and end with -----END CERTIFICATE-----). Paste the CA certificate your IT provider gave you.',
      { reason: 'not_pem' },
    );
  }
  if (!certs.some((c) => c.ca)) {
    throw new AppError('PRACTICE_SERVER_CA_INVALID', 'This is not a CA certificate (it may be the server’s own certificate). Ask your IT provider for the CA certificate that signed the server’s certificate.', { reason: 'not_a_ca' });
  }
  if (certs.every((c) => new Date(c.validTo).getTime() < now.getTime())) {
    throw new AppError('PRACTICE_SERVER_CA_INVALID', 'The CA certificate has expired. Ask your IT provider for the current one.', { reason: 'expired' });
  }
  return { caPem: `${blocks.map((b) => b.replace(/\r\n?/g, '\n')).join('\n')}\n`, fingerprint: certificateFingerprint(certs[0]!) };
}

/**
 * The `pg.PoolConfig` for the practice server: TLS required and verified (`ssl: { ca, rejectUnauthorized: true,
 * servername, minVersion: 'TLSv1.2' }`; `servername` is set only for a host name — SNI never carries an IP address,
 * RFC 6066 §3 — and the certificate is then checked against the IP), SCRAM channel binding when offered, bounded
 * connect and statement timeouts, `application_name` "ReleaseDesk". This is libpq's `sslmode=verify-full` with the
 * practice's CA as the only trust anchor. Pure: nothing connects.
 * @param s the stored settings
 * @param password the role's password (from the vault; never logged)
 * @returns a config for `new pg.Pool(…)` (pg-engine) or `new pg.Client(…)`
 * @source 45 CFR 164.312(e)(1), 164.312(d); NIST SP 800-52 Rev. 2 chapter 4 (TLS clients); RFC 6066 §3.
 */
export function practicePoolConfig(s: PracticeServerSettings, password: string, opts: PracticeConnectionOptions = {}): pg.PoolConfig {
  const statementTimeoutMs = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  return {
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password,
    ssl: {
      ca: s.caPem,
      rejectUnauthorized: true,
      ...(isIP(s.host) === 0 ? { servername: s.host } : {}),
      minVersion: 'TLSv1.2',
    },
    enableChannelBinding: true,
    application_name: 'ReleaseDesk',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 5_000,
    max: opts.max ?? 4,
    idleTimeoutMillis: 30_000,
  };
}

/** Node's TLS verification codes that mean "not signed by the CA you gave" (OpenSSL X509_V_ERR_*). */
const UNTRUSTED_CHAIN = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const SOCKET_UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'ECONNRESET', 'EPIPE']);
const TLS_TOO_OLD = new Set(['ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_WRONG_VERSION_NUMBER']);

/**
 * Map anything the `pg` driver, the socket or TLS threw to a coded, PHI-free AppError (an AppError passes through).
 * The message says what happened (the renderer's explanation, src/renderer/lib/explain.ts, says what to do next).
 * The audit detail says which case (`reason`, plus the SQLSTATE or Node error code): never a host, user or text.
 * @returns PRACTICE_SERVER_UNREACHABLE | PRACTICE_SERVER_TIMEOUT | PRACTICE_SERVER_NO_TLS | PRACTICE_SERVER_TLS_UNTRUSTED
 *   (reason 'wrong_ca' | 'wrong_host' | 'expired' | 'not_yet_valid') | PRACTICE_SERVER_AUTH_FAILED |
 *   PRACTICE_SERVER_DATABASE_MISSING | PRACTICE_SERVER_FAILED
 * @source PostgreSQL 15 Appendix A (SQLSTATE classes 28, 3D, 57); OpenSSL verify(1) error codes.
 */
export function practiceServerError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const msg = typeof err?.message === 'string' ? err.message : '';
  if (UNTRUSTED_CHAIN.has(code)) {
    return new AppError('PRACTICE_SERVER_TLS_UNTRUSTED', 'The practice server’s certificate is not signed by the CA certificate entered here, so ReleaseDesk did not connect.', { reason: 'wrong_ca', tls: code });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new AppError('PRACTICE_SERVER_TLS_UNTRUSTED', 'The practice server’s certificate is for a different server name, so ReleaseDesk did not connect.', { reason: 'wrong_host', tls: code });
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new AppError('PRACTICE_SERVER_TLS_UNTRUSTED', `The practice server’s certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}, so ReleaseDesk did not connect. Ask your IT provider to renew it.`, { reason: code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not_yet_valid', tls: code });
  }
  if (TLS_TOO_OLD.has(code)) {
    return new AppError('PRACTICE_SERVER_NO_TLS', 'The practice server does not offer TLS 1.2 or newer, so ReleaseDesk did not connect.', { reason: 'tls_too_old', tls: code });
  }
  if (msg === 'The server does not support SSL connections') {
    return new AppError('PRACTICE_SERVER_NO_TLS', 'The practice server does not offer an encrypted (TLS) connection, so ReleaseDesk did not connect and sent no password.', { reason: 'no_tls' });
  }
  if (msg === 'There was an error establishing an SSL connection') {
    return new AppError('PRACTICE_SERVER_NO_TLS', 'The server at that address did not answer with an encrypted PostgreSQL connection (it may not be a PostgreSQL server, or its TLS is off), so ReleaseDesk did not connect.', { reason: 'not_postgres_tls' });
  }
  if (/timeout/i.test(msg) || code === 'ETIMEDOUT' || code === '57014') {
    return new AppError('PRACTICE_SERVER_TIMEOUT', 'The practice server did not answer in time.', { reason: 'timeout', ...(code ? { error: code } : {}) });
  }
  if (SOCKET_UNREACHABLE.has(code)) {
    return new AppError('PRACTICE_SERVER_UNREACHABLE', 'The practice server could not be reached.', { reason: 'unreachable', error: code });
  }
  if (code === '28P01' || code === '28000' || msg.startsWith('SASL:') || /password/i.test(msg)) {
    return new AppError('PRACTICE_SERVER_AUTH_FAILED', 'The practice server did not accept the user name and password (or does not let this user connect from here).', { reason: 'auth', ...(code ? { sqlstate: code } : {}) });
  }
  if (code === '42501') {
    return new AppError('PRACTICE_SERVER_AUTH_FAILED', 'This user may not connect to that database.', { reason: 'no_permission', sqlstate: code });
  }
  if (code === '3D000') {
    return new AppError('PRACTICE_SERVER_DATABASE_MISSING', 'The practice server has no database with that name.', { reason: 'no_database', sqlstate: code });
  }
  if (/terminated|closed|ended/i.test(msg)) {
    return new AppError('PRACTICE_SERVER_UNREACHABLE', 'The practice server closed the connection.', { reason: 'closed' });
  }
  return new AppError('PRACTICE_SERVER_FAILED', 'Connecting to the practice server failed.', {
    reason: 'other',
    ...(/^[A-Z0-9_]{2,40}$/.test(code) ? { error: code } : {}),
  });
}

/**
 * Connect once with `config`, make sure the server itself sees this session as encrypted (`pg_stat_ssl.ssl`), read
 * its version and the negotiated TLS version and cipher, and disconnect. Nothing is written on the server.
 * @param config from {@link practicePoolConfig}
 * @param now the clock (the check's time)
 * @returns `{ serverVersion, tlsVersion, tlsCipher, at }`
 * @throws AppError as {@link practiceServerError} maps it; PRACTICE_SERVER_NO_TLS when the server reports no TLS
 * @source 45 CFR 164.312(e)(1); PostgreSQL 15 documentation, "The Cumulative Statistics System" (`pg_stat_ssl`).
 */
export async function testPracticeServer(config: pg.PoolConfig, now: () => Date): Promise<{ serverVersion: string; tlsVersion: string; tlsCipher: string; at: string }> {
  const client = new pg.Client(config);
  // A late socket error after a failed connect must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const row = await readSessionTls(client);
    if (!row?.ssl || !row.version) {
      throw new AppError('PRACTICE_SERVER_NO_TLS', 'The practice server reports that this connection is not encrypted, so ReleaseDesk will not use it.', { reason: 'server_reports_no_tls' });
    }
    return { serverVersion: row.server_version, tlsVersion: row.version, tlsCipher: row.cipher ?? '', at: now().toISOString() };
  } catch (e) {
    throw practiceServerError(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}
