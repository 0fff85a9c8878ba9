/**
 * A practice server with TLS turned off (a real PostgreSQL with `ssl=off`, which answers 'N' to the client's
 * SSLRequest) is refused with PRACTICE_SERVER_NO_TLS before any password is sent: nothing saved, the refusal audited,
 * no password in the error or the log; so is a port where another kind of server (SMTP) answers. Source: 45 CFR 164.312(e)(1) transmission security.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../support/backend';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { startSmtpServer, testPki } from '../../support/smtp';

const have = requirePostgres();

describe.skipIf(!have)('a practice server without TLS', () => {
  let server: RunningPostgres;
  let b: Backend;
  beforeAll(async () => {
    [server, b] = await Promise.all([startPostgres({ tls: false }), startBackend()]);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('is refused with PRACTICE_SERVER_NO_TLS before any sign-in; nothing saved; audited', async () => {
    const input = { host: server.host, port: server.port, database: server.database, user: server.user, password: server.password, caPem: testPki().caPem };
    for (const channel of ['practiceServer.test', 'practiceServer.configure'] as const) {
      const e = (await b.call(channel, input).then(() => null, (x: unknown) => x)) as { code: string; message: string };
      expect(e.code).toBe('PRACTICE_SERVER_NO_TLS');
      expect(e.message).toMatch(/does not offer an encrypted \(TLS\) connection/);
      expect(e.message).not.toContain(server.password);
    }
    expect((await b.call('practiceServer.status', {})).state).toBe('not_set');
    const ev = (await b.call('audit.events', { limit: 2 })).map((x) => ({ action: x.action, outcome: x.outcome, detail: x.detail }));
    expect(ev).toEqual([
      { action: 'practice_server.configure', outcome: 'refused', detail: { code: 'PRACTICE_SERVER_NO_TLS', reason: 'no_tls' } },
      { action: 'practice_server.test', outcome: 'refused', detail: { code: 'PRACTICE_SERVER_NO_TLS', reason: 'no_tls' } },
    ]);
    expect(b.logText()).not.toContain(server.password);
  });

  it('refuses a port where something other than PostgreSQL answers (an SMTP server) the same way, nothing sent', async () => {
    const smtp = await startSmtpServer({ starttls: true });
    try {
      const input = { host: '127.0.0.1', port: smtp.port, database: server.database, user: server.user, password: server.password, caPem: testPki().caPem };
      const e = (await b.call('practiceServer.configure', input).then(() => null, (x: unknown) => x)) as { code: string; message: string };
      expect(e).toMatchObject({ code: 'PRACTICE_SERVER_NO_TLS', message: expect.stringMatching(/did not answer with an encrypted PostgreSQL connection/) });
      expect((await b.call('audit.events', { limit: 1 }))[0]).toMatchObject({ action: 'practice_server.configure', outcome: 'refused', detail: { reason: 'not_postgres_tls' } });
      expect(smtp.received).toHaveLength(0);
      expect((await b.call('practiceServer.status', {})).state).toBe('not_set');
    } finally {
      await smtp.close();
    }
  });
});
