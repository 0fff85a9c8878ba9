/**
 * Connecting a workstation to the practice's PostgreSQL server, against a REAL throwaway PostgreSQL (TLS required,
 * certificate from the test CA) through the real dispatch: verified TLS works and the server confirms the session is
 * encrypted; a wrong CA, a certificate for another host name, a wrong password, a missing database, a closed port and
 * a server that never answers are each refused with their coded, PHI-free error; a failed test saves nothing;
 * every attempt is audited; the password never reaches the status, an error, the audit log or the log file.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelInput } from '../../../src/shared/contract';
import { PracticeServerService } from '../../../src/main/services/practice/practice-server-service';
import { PASSPHRASE, startBackend, type Backend } from '../../support/backend';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { testPki } from '../../support/smtp';
import { flawedServerCert } from '../../support/smtp-certs';

const have = requirePostgres();
const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };

/** A CA that signed nothing on the server (what a workstation holding the wrong CA file has). */
function otherCaPem(): string {
  return execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '/dev/null', '-days', '2', '-subj', '/CN=Some Other CA'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

describe.skipIf(!have)('the practice server connection (real PostgreSQL, TLS required)', () => {
  let server: RunningPostgres;
  let b: Backend;
  let good: ChannelInput<'practiceServer.configure'>;
  const secrets: string[] = [];
  beforeAll(async () => {
    [server, b] = await Promise.all([startPostgres(), startBackend()]);
    good = { host: server.host, port: server.port, database: server.database, user: server.user, password: server.password, caPem: server.caPem };
    secrets.push(server.password, 'not-the-password-8812');
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  const events = async (n: number) => (await b.call('audit.events', { limit: n })).filter((e) => e.action.startsWith('practice_server.'));
  const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'NONE', message: '' }), (e: { code: string; message: string }) => e);

  it('starts with no practice server: the workstation works from its own vault', async () => {
    expect(await b.call('practiceServer.status', {})).toEqual({
      state: 'not_set',
      server: null,
      passwordSet: false,
      caFingerprint: null,
      verified: null,
      link: { state: 'local', workstationLabel: null, lastSyncAt: null, conflicts: 0 },
    });
    expect(b.services.practiceServer.activePoolConfig()).toBeNull();
  });

  it('tests verified TLS without saving: the server itself reports the session encrypted, its version and the TLS version', async () => {
    const check = await b.call('practiceServer.test', good);
    expect(check.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    expect(check.tlsCipher).not.toBe('');
    expect(check.serverVersion).toMatch(/^\d+\.\d+/);
    expect((await b.call('practiceServer.status', {})).state).toBe('not_set');
    const [ev] = await events(1);
    expect(ev).toMatchObject({ action: 'practice_server.test', outcome: 'success', detail: { outcome: 'ok', tlsVersion: check.tlsVersion } });
  });

  it('configures after a passing test: active, the password shown only as "set", audited with which fields changed', async () => {
    const status = await b.call('practiceServer.configure', good);
    expect(status).toMatchObject({ state: 'active', passwordSet: true, server: { host: server.host, port: server.port, database: server.database, user: server.user } });
    expect(status.caFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(status.verified?.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    expect(JSON.stringify(status)).not.toContain(server.password);
    expect(JSON.stringify(await b.call('practiceServer.status', {}))).not.toContain(server.password);
    const [ev] = await events(1);
    expect(ev).toMatchObject({ action: 'practice_server.configure', outcome: 'success', detail: { changed: 'host,port,database,user,caPem,password', was: 'not_set' } });
  });

  it('gives the shared store a pool config that connects with verified TLS (sslmode verify-full, TLS 1.2+)', async () => {
    const cfg = b.services.practiceServer.activePoolConfig()!;
    expect(cfg.ssl).toMatchObject({ rejectUnauthorized: true, minVersion: 'TLSv1.2', ca: expect.stringContaining('BEGIN CERTIFICATE') });
    expect((cfg.ssl as { servername?: string }).servername).toBeUndefined(); // an IP address is never sent as SNI (RFC 6066 §3)
    const pool = new pg.Pool(cfg);
    try {
      const r = await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(r.rows[0]?.ssl).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it.each([
    ['a wrong CA certificate', () => ({ ...good, caPem: otherCaPem() }), 'PRACTICE_SERVER_TLS_UNTRUSTED', 'wrong_ca', /not signed by the CA certificate/],
    ['a wrong password', () => ({ ...good, password: 'not-the-password-8812' }), 'PRACTICE_SERVER_AUTH_FAILED', 'auth', /did not accept the user name and password/],
    ['a database that does not exist', () => ({ ...good, database: 'no_such_practice' }), 'PRACTICE_SERVER_DATABASE_MISSING', 'no_database', /no database with that name/],
    ['a closed port', () => ({ ...good, port: 1 }), 'PRACTICE_SERVER_UNREACHABLE', 'unreachable', /could not be reached/],
  ])('refuses %s with its coded, plain error; nothing saved; audited; no password or library text in it', async (_what, input, code, reason, message) => {
    const before = await b.call('practiceServer.status', {});
    const e = await refusal(b.call('practiceServer.configure', input()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    for (const leak of [...secrets, server.user, server.host, 'no_such_practice', 'pg_hba', 'certificate verify', 'ECONNREFUSED']) expect(e.message).not.toContain(leak);
    expect(await b.call('practiceServer.status', {})).toEqual(before);
    const [ev] = await events(1);
    expect(ev).toMatchObject({ action: 'practice_server.configure', outcome: 'refused', detail: { code, reason } });
    // The test channel refuses the same way (and saves nothing either).
    expect((await refusal(b.call('practiceServer.test', input()))).code).toBe(code);
  });

  it('refuses a server whose certificate names another host (connecting by "localhost"), then connects once it is right again', async () => {
    const pki = testPki();
    const swap = (cert: string, key: string) => {
      writeFileSync(join(server.dataDir, 'server.crt'), cert);
      writeFileSync(join(server.dataDir, 'server.key'), key, { mode: 0o600 });
      server.psql('SELECT pg_reload_conf()');
    };
    swap(pki.wrongHostCert, pki.wrongHostKey); // a certificate for mail.other.example.test, from the trusted CA
    try {
      await new Promise((r) => setTimeout(r, 300)); // the postmaster re-reads its certificate on SIGHUP
      const e = await refusal(b.call('practiceServer.configure', { ...good, host: 'localhost' }));
      expect(e.code).toBe('PRACTICE_SERVER_TLS_UNTRUSTED');
      expect(e.message).toMatch(/certificate is for a different server name/);
      expect(e.message).not.toContain('mail.other.example.test');
      expect((await events(1))[0]).toMatchObject({ outcome: 'refused', detail: { code: 'PRACTICE_SERVER_TLS_UNTRUSTED', reason: 'wrong_host' } });
      expect((await b.call('practiceServer.status', {})).server?.host).toBe(server.host);
    } finally {
      swap(pki.serverCert, pki.serverKey);
    }
    await new Promise((r) => setTimeout(r, 300));
    const ok = await b.call('practiceServer.test', { ...good, host: 'localhost' });
    expect(ok.tlsVersion).toMatch(/^TLSv1\.[23]$/);
  });

  it.each([
    ['expired', 'expired'],
    ['not-yet-valid', 'not_yet_valid'],
  ] as const)('refuses a server whose certificate is %s (from the trusted CA), nothing saved', async (flaw, reason) => {
    const pki = testPki();
    const bad = flawedServerCert(flaw);
    const swap = (cert: string, key: string) => {
      writeFileSync(join(server.dataDir, 'server.crt'), cert);
      writeFileSync(join(server.dataDir, 'server.key'), key, { mode: 0o600 });
      server.psql('SELECT pg_reload_conf()');
    };
    const before = await b.call('practiceServer.status', {});
    swap(bad.cert, bad.key);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const e = await refusal(b.call('practiceServer.configure', good));
      expect(e).toMatchObject({ code: 'PRACTICE_SERVER_TLS_UNTRUSTED', message: expect.stringMatching(/Ask your IT provider to renew it/) });
      expect((await events(1))[0]).toMatchObject({ outcome: 'refused', detail: { code: 'PRACTICE_SERVER_TLS_UNTRUSTED', reason } });
      expect(await b.call('practiceServer.status', {})).toEqual(before);
    } finally {
      swap(pki.serverCert, pki.serverKey);
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  it('refuses a user the database does not let connect (REVOKE CONNECT) as PRACTICE_SERVER_AUTH_FAILED', async () => {
    server.psql(`CREATE ROLE clerk_no_connect LOGIN PASSWORD 'clerk-secret-4471'; REVOKE CONNECT ON DATABASE ${server.database} FROM PUBLIC;`);
    secrets.push('clerk-secret-4471');
    const e = await refusal(b.call('practiceServer.test', { ...good, user: 'clerk_no_connect', password: 'clerk-secret-4471' }));
    expect(e).toMatchObject({ code: 'PRACTICE_SERVER_AUTH_FAILED', message: 'This user may not connect to that database.' });
    expect((await events(1))[0]).toMatchObject({ detail: { code: 'PRACTICE_SERVER_AUTH_FAILED', reason: 'no_permission', sqlstate: '42501' } });
  });

  it('times out on a server that accepts the connection but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const quick = new PracticeServerService({ session: b.services.session, clock: b.clock, connection: { connectTimeoutMs: 700 } });
      const port = (silent.address() as { port: number }).port;
      const e = await refusal(quick.configure({ ...good, port }));
      expect(e.code).toBe('PRACTICE_SERVER_TIMEOUT');
      expect(e.message).toMatch(/did not answer in time/);
      expect((await events(1))[0]).toMatchObject({ action: 'practice_server.configure', outcome: 'refused', detail: { code: 'PRACTICE_SERVER_TIMEOUT' } });
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('uses the stored password only for the same server, port and user', async () => {
    const { password: _p, ...noPassword } = good;
    expect((await b.call('practiceServer.test', noPassword)).tlsVersion).toMatch(/^TLSv1/);
    const e = await refusal(b.call('practiceServer.test', { ...noPassword, host: 'localhost' }));
    expect(e).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/Enter the practice server password/) });
    expect((await refusal(b.call('practiceServer.test', { ...noPassword, user: 'someone_else' }))).code).toBe('VALIDATION_FAILED');
  });

  it('refuses a CA text that is not a CA, not a certificate, or holds a private key (nothing stored)', async () => {
    const pki = testPki();
    const notCa = await refusal(b.call('practiceServer.configure', { ...good, caPem: pki.serverCert }));
    expect(notCa).toMatchObject({ code: 'PRACTICE_SERVER_CA_INVALID', message: expect.stringMatching(/not a CA certificate/) });
    const garbled = await refusal(b.call('practiceServer.configure', { ...good, caPem: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n' }));
    expect(garbled.code).toBe('PRACTICE_SERVER_CA_INVALID');
    const withKey = await refusal(b.call('practiceServer.configure', { ...good, caPem: `${server.caPem}${pki.serverKey}` }));
    expect(withKey.code).toBe('VALIDATION_FAILED');
    expect(withKey.message).not.toContain('BEGIN');
    expect((await b.call('practiceServer.status', {})).caFingerprint).toMatch(/^[0-9A-F:]+$/);
  });

  it.each([
    ['port 0', { port: 0 }],
    ['port 65536', { port: 65536 }],
    ['a host with a space', { host: 'db server.example' }],
    ['a host with a path', { host: 'db.example/evil' }],
    ['an all-numeric non-IP host', { host: '999.1.1.1' }],
    ['a CA text over 64,000 characters', { caPem: `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64_100)}\n-----END CERTIFICATE-----\n` }],
    ['a 64-byte user name', { user: 'u'.repeat(64) }],
  ])('refuses %s at the contract (VALIDATION_FAILED)', async (_what, patch) => {
    expect((await refusal(b.call('practiceServer.test', { ...good, ...patch } as never))).code).toBe('VALIDATION_FAILED');
  });

  it('lets every staff member read the status but only administrators test, configure or disconnect (refusals audited)', async () => {
    await b.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    const admin = b.services.session.currentUser()!;
    b.services.session.lock();
    await b.call('vault.unlock', { username: DANA.name, passphrase: DANA.pass });
    try {
      const status = await b.call('practiceServer.status', {});
      expect(status).toMatchObject({ state: 'active', passwordSet: true });
      for (const [channel, input] of [['practiceServer.test', good], ['practiceServer.configure', good], ['practiceServer.disconnect', {}]] as const) {
        expect((await refusal(b.call(channel as 'practiceServer.test', input as never))).code).toBe('ROLE_NOT_PERMITTED');
      }
    } finally {
      b.services.session.lock();
      await b.call('vault.unlock', { username: admin.name, passphrase: PASSPHRASE });
    }
    const refused = (await b.call('audit.events', { limit: 5 })).filter((e) => e.action === 'rpc.role_refused').map((e) => e.subjectId);
    expect(refused).toEqual(expect.arrayContaining(['practiceServer.test', 'practiceServer.configure', 'practiceServer.disconnect']));
  });

  it('disconnects: the password is erased, the settings kept; reconnecting needs the password again', async () => {
    const status = await b.call('practiceServer.disconnect', {});
    expect(status).toMatchObject({ state: 'disconnected', passwordSet: false, server: { host: server.host } });
    expect(b.services.practiceServer.activePoolConfig()).toBeNull();
    expect((await events(1))[0]).toMatchObject({ action: 'practice_server.disconnect', outcome: 'success' });
    expect((await refusal(b.call('practiceServer.disconnect', {}))).code).toBe('PRACTICE_SERVER_NOT_SET');
    const { password: _p, ...noPassword } = good;
    expect((await refusal(b.call('practiceServer.configure', noPassword))).code).toBe('VALIDATION_FAILED');
    expect((await b.call('practiceServer.configure', good)).state).toBe('active');
    expect((await events(1))[0]).toMatchObject({ action: 'practice_server.configure', outcome: 'success', detail: { changed: 'password', was: 'disconnected' } });
  });

  it('never wrote the password into the audit log or the log file', async () => {
    const audit = JSON.stringify(await b.call('audit.events', { limit: 1000 }));
    const log = b.logText();
    expect(log).toContain('practice_server.configure'); // refusals are logged (as codes)
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  });
});
