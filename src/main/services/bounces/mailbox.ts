/**
 * The bounce mailbox: an IMAP server reached only over implicit TLS (RFC 8314 §3.2, port 993 by default; verified
 * certificate, TLS ≥ 1.2), read with `imapflow`. Each unseen message is handed to the caller and marked \Seen only
 * after the caller returned (its result is in the vault first); a crash in between reads it again, which the
 * bounce ledger makes harmless.
 *
 * Never logs or returns anything of a message: subjects and bodies of bounces can quote patients' names. Errors
 * are coded (AppError) with constant, PHI-free messages; imapflow's own logger is off.
 */
import { isIP } from 'node:net';
import { ImapFlow } from 'imapflow';
import { AppError, isAppError } from '../../../shared/errors';

/** Where the bounce mailbox is (the password comes from the vault). */
export interface BounceMailboxSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Folder to read, default 'INBOX'. */
  folder?: string | undefined;
}

/** Connection options: extra trusted CAs (a practice CA, a test CA) and the per-wait timeout in ms (default 30 000). */
export interface MailboxOptions {
  ca?: string[] | undefined;
  timeoutMs?: number | undefined;
}

function client(s: BounceMailboxSettings, o: MailboxOptions): ImapFlow {
  const t = o.timeoutMs ?? 30_000;
  return new ImapFlow({
    host: s.host,
    port: s.port,
    secure: true,
    auth: { user: s.username, pass: s.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: t,
    greetingTimeout: t,
    socketTimeout: Math.max(t, 60_000),
    // SNI only for names (RFC 6066 §3 forbids IP literals); the certificate is checked against the host either way.
    tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(isIP(s.host) ? {} : { servername: s.host }), ...(o.ca ? { ca: o.ca } : {}) },
  });
}

/**
 * Map an imapflow / socket failure to a coded, PHI-free error (never the server's text).
 * @source RFC 9051 §7.1 (response codes, AUTHENTICATIONFAILED); Node TLS error codes
 */
export function toMailboxError(e: unknown): AppError {
  if (isAppError(e)) return e;
  const err = e as { code?: string; authenticationFailed?: boolean; serverResponseCode?: string; message?: string };
  const code = typeof err?.code === 'string' ? err.code : '';
  if (err?.authenticationFailed || err?.serverResponseCode === 'AUTHENTICATIONFAILED')
    return new AppError('IMAP_AUTH_FAILED', 'The bounce mailbox refused the user name or password.');
  if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS_CERT/.test(code))
    return new AppError('TLS_CERT_UNTRUSTED', "The bounce mailbox's certificate is not trusted, so ReleaseDesk did not sign in.", { systemCode: code });
  if (/ERR_SSL|EPROTO/.test(code) || /wrong version number|protocol version/i.test(err?.message ?? ''))
    return new AppError('TLS_REQUIRED', 'The bounce mailbox did not offer a secure (TLS) connection on this port. Use the IMAP-over-TLS port, usually 993.', { systemCode: code || 'TLS' });
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'NoConnection', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT'].includes(code))
    return new AppError('IMAP_UNREACHABLE', 'The bounce mailbox could not be reached. Check the server name and port, and the network.', { systemCode: code });
  return new AppError('IMAP_FAILED', 'Reading the bounce mailbox failed.', code ? { systemCode: code } : {});
}

/**
 * Sign in to the bounce mailbox and out again: tests the settings without reading anything.
 * @returns the negotiated TLS protocol ('TLSv1.2' | 'TLSv1.3')
 * @throws AppError IMAP_UNREACHABLE | TLS_CERT_UNTRUSTED | TLS_REQUIRED | IMAP_AUTH_FAILED | IMAP_FAILED
 * @source RFC 8314 §3.2 (implicit TLS for IMAP); RFC 9051 §6.2.3 (LOGIN/AUTHENTICATE)
 */
export async function testBounceMailbox(s: BounceMailboxSettings, o: MailboxOptions = {}): Promise<{ ok: true; tlsProtocol: string }> {
  const c = client(s, o);
  c.on('error', () => undefined);
  try {
    await c.connect();
    const tlsProtocol = tlsOf(c);
    await c.logout();
    return { ok: true, tlsProtocol };
  } catch (e) {
    c.close();
    throw toMailboxError(e);
  }
}

/**
 * Read every unseen message of the folder, oldest first: `handle(raw)` for each, then mark it \Seen.
 * A message whose `handle` throws stays unseen (read again next time); the others go on.
 * @param handle receives the whole message; must not log or keep its text
 * @returns how many messages were read and handled
 * @throws AppError as {@link testBounceMailbox} (nothing is marked seen for a message not handled)
 * @source RFC 9051 §6.4.4 SEARCH UNSEEN, §6.4.5 FETCH BODY.PEEK[], §6.4.6 STORE +FLAGS (\Seen)
 */
export async function readUnseen(s: BounceMailboxSettings, o: MailboxOptions, handle: (raw: Buffer) => Promise<void>): Promise<{ read: number; failed: number }> {
  const c = client(s, o);
  c.on('error', () => undefined);
  let read = 0;
  let failed = 0;
  try {
    await c.connect();
    const lock = await c.getMailboxLock(s.folder ?? 'INBOX');
    try {
      const found = await c.search({ seen: false }, { uid: true });
      const uids = (found || []).slice().sort((a, b) => a - b);
      for (const uid of uids) {
        const msg = await c.fetchOne(String(uid), { source: true }, { uid: true });
        if (!msg || !msg.source) continue;
        try {
          await handle(msg.source);
        } catch {
          failed++;
          continue;
        }
        await c.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        read++;
      }
    } finally {
      lock.release();
    }
    await c.logout();
    return { read, failed };
  } catch (e) {
    c.close();
    throw toMailboxError(e);
  }
}

function tlsOf(c: ImapFlow): string {
  const sock = (c as unknown as { socket?: { getProtocol?: () => string | null } }).socket;
  return sock?.getProtocol?.() ?? 'unknown';
}
