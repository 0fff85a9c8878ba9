/**
 * A small scripted SMTP server on 127.0.0.1 for the replies and timings a real
 * server will not produce on demand: a chosen reply (or a dropped connection, or
 * silence) at each step, real STARTTLS (or implicit TLS) with the test CA's
 * certificate, and a record of everything it received before TLS started.
 *
 *   const srv = await startScriptedSmtp({ rcpt: '451 4.3.0 Try again later' });
 *   await expect(sendRawMessage({ host: '127.0.0.1', port: srv.port, security: 'starttls', … }, env, raw, { ca: [srv.caPem] })) …
 *   expect(srv.cleartext.toString('latin1')).not.toContain('AUTH');
 *   await srv.close();
 *
 * A reply is a full reply text (multi-line with "\r\n"), or 'close' (drop the connection without a
 * reply), or 'silent' (never answer). No PIPELINING is advertised, so every command waits for its reply.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { testPki } from './smtp';

export type ScriptedReply = string | 'close' | 'silent';

export interface ScriptedSmtpOptions {
  /** 'starttls' (default): plain greeting, STARTTLS offered; 'implicit': TLS from the first byte; 'none': no STARTTLS. */
  tls?: 'starttls' | 'implicit' | 'none';
  /** The greeting (default "220 scripted.example.test ESMTP"), or 'silent' / 'close'. */
  greeting?: ScriptedReply;
  /** Advertise `SIZE n` in EHLO (RFC 1870). */
  size?: number;
  /** Advertise this SIZE in the EHLO before STARTTLS instead (a client must forget it after TLS, RFC 3207 §4.2). */
  sizeBeforeTls?: number;
  /** Final reply to AUTH (default "235 2.7.0 Authentication successful"). */
  auth?: ScriptedReply;
  /** Reply to MAIL FROM (default "250 2.1.0 OK"). */
  mail?: ScriptedReply;
  /** Reply to RCPT TO (default "250 2.1.5 OK"). */
  rcpt?: ScriptedReply;
  /** Reply to the DATA command (default "354 End data with <CR><LF>.<CR><LF>"). */
  data?: ScriptedReply;
  /** Drop the connection after this many bytes of message data (before the final "."). */
  dropDataAfterBytes?: number;
  /** Reply after the final "." (default "250 2.0.0 OK queued"). */
  final?: ScriptedReply;
  /** Wait this long before the reply after the final "." (a server scanning the message), ms. */
  finalDelayMs?: number;
}

export interface ScriptedSmtp {
  port: number;
  /** PEM of the CA to trust. */
  caPem: string;
  /** Every byte received before TLS started, over all connections (must hold nothing secret). */
  readonly cleartext: Buffer;
  /** Command lines received (inside TLS as well), without message data; AUTH arguments replaced by '…'. */
  readonly commands: string[];
  /** Connections accepted. */
  readonly connections: number;
  /** Bytes of message data received (inside DATA). */
  readonly dataBytes: number;
  /** True once a final "." arrived. */
  readonly sawEndOfData: boolean;
  /** The MAIL FROM line as received (to check SIZE=). */
  readonly mailFromLine: string | null;
  close(): Promise<void>;
}

const DEFAULTS = {
  greeting: '220 scripted.example.test ESMTP',
  auth: '235 2.7.0 Authentication successful',
  mail: '250 2.1.0 OK',
  rcpt: '250 2.1.5 OK',
  data: '354 End data with <CR><LF>.<CR><LF>',
  final: '250 2.0.0 OK queued as SCRIPTED',
};

/** Start the scripted server; resolves once it listens. Always `close()` it. */
export async function startScriptedSmtp(opts: ScriptedSmtpOptions = {}): Promise<ScriptedSmtp> {
  const pki = testPki();
  const mode = opts.tls ?? 'starttls';
  const clear: Buffer[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0, dataBytes: 0, sawEndOfData: false, mailFromLine: null as string | null };

  const session = (raw: Socket) => {
    state.connections++;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    let io: Socket = raw;
    let secure = false;
    let buf = Buffer.alloc(0);
    let inData = false;
    let authStep: 'none' | 'plain' | 'login-user' | 'login-pass' = 'none';

    const send = (reply: ScriptedReply): boolean => {
      if (reply === 'silent') return false;
      if (reply === 'close') {
        raw.destroy();
        return false;
      }
      io.write(`${reply}\r\n`);
      return true;
    };
    const ehlo = () => {
      const ext = ['250-scripted.example.test'];
      if (mode === 'starttls' && !secure) ext.push('250-STARTTLS');
      const size = !secure && opts.sizeBeforeTls !== undefined ? opts.sizeBeforeTls : opts.size;
      if (size !== undefined) ext.push(`250-SIZE ${size}`);
      ext.push('250-8BITMIME', '250-DSN', '250 AUTH PLAIN LOGIN');
      return ext.join('\r\n');
    };

    const onLine = (line: string) => {
      const verb = line.split(' ')[0]!.toUpperCase();
      if (authStep !== 'none') {
        commands.push('…');
        if (authStep === 'login-user') {
          authStep = 'login-pass';
          return send('334 UGFzc3dvcmQ6');
        }
        authStep = 'none';
        return send(opts.auth ?? DEFAULTS.auth);
      }
      commands.push(verb === 'AUTH' ? line.split(' ').slice(0, 2).join(' ') + ' …' : line);
      switch (verb) {
        case 'EHLO':
          return send(ehlo());
        case 'HELO':
          return send('250 scripted.example.test');
        case 'STARTTLS':
          if (mode !== 'starttls' || secure) return send('502 5.5.1 Command not implemented');
          send('220 2.0.0 Ready to start TLS');
          startTls();
          return;
        case 'AUTH': {
          const [, mech, initial] = line.split(' ');
          if (mech?.toUpperCase() === 'PLAIN') {
            if (initial) return send(opts.auth ?? DEFAULTS.auth);
            authStep = 'plain';
            return send('334 ');
          }
          authStep = 'login-user';
          return send('334 VXNlcm5hbWU6');
        }
        case 'MAIL':
          state.mailFromLine = line;
          return send(opts.mail ?? DEFAULTS.mail);
        case 'RCPT':
          return send(opts.rcpt ?? DEFAULTS.rcpt);
        case 'DATA': {
          const r = opts.data ?? DEFAULTS.data;
          if (send(r) && r.startsWith('354')) inData = true;
          return;
        }
        case 'RSET':
        case 'NOOP':
          return send('250 2.0.0 OK');
        case 'QUIT':
          send('221 2.0.0 Bye');
          io.end();
          return;
        default:
          return send('500 5.5.2 Command not recognized');
      }
    };

    const onData = (chunk: Buffer) => {
      if (!secure) clear.push(chunk);
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          const have = end < 0 ? buf.length : end;
          if (opts.dropDataAfterBytes !== undefined && state.dataBytes + have >= opts.dropDataAfterBytes && end < 0) {
            state.dataBytes += have;
            raw.destroy();
            return;
          }
          if (end < 0) return;
          state.dataBytes += end;
          state.sawEndOfData = true;
          inData = false;
          buf = buf.subarray(end + 5);
          if (opts.finalDelayMs) setTimeout(() => !raw.destroyed && send(opts.final ?? DEFAULTS.final), opts.finalDelayMs);
          else send(opts.final ?? DEFAULTS.final);
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.subarray(0, nl).toString('latin1');
        buf = buf.subarray(nl + 2);
        onLine(line);
      }
    };

    const startTls = () => {
      raw.removeAllListeners('data');
      buf = Buffer.alloc(0);
      const t = new TLSSocket(raw, { isServer: true, key: pki.serverKey, cert: pki.serverCert });
      t.on('error', () => undefined);
      t.on('secure', () => (secure = true));
      t.on('data', onData);
      io = t;
      secure = true; // everything read from `t` is decrypted TLS data
    };

    if (mode === 'implicit') {
      startTls();
      send(opts.greeting ?? DEFAULTS.greeting);
    } else {
      raw.on('data', onData);
      send(opts.greeting ?? DEFAULTS.greeting);
    }
  };

  const server: Server = createServer(session);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    caPem: pki.caPem,
    get cleartext() {
      return Buffer.concat(clear);
    },
    commands,
    get connections() {
      return state.connections;
    },
    get dataBytes() {
      return state.dataBytes;
    },
    get sawEndOfData() {
      return state.sawEndOfData;
    },
    get mailFromLine() {
      return state.mailFromLine;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
