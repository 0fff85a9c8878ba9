import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';

const have = requirePostgres();

describe.skipIf(!have)('the throwaway PostgreSQL server for practice-server tests', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('accepts a TLS connection verified against the test CA, and refuses one without TLS', async () => {
    const base = { host: server.host, port: server.port, database: server.database, user: server.user, password: server.password };
    const ok = new pg.Client({ ...base, ssl: { ca: server.caPem, rejectUnauthorized: true } });
    await ok.connect();
    const r = await ok.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    expect(r.rows[0]?.ssl).toBe(true);
    await ok.end();

    const plain = new pg.Client({ ...base, ssl: false });
    await expect(plain.connect()).rejects.toThrow(/no encryption|pg_hba/);
    const wrongCa = new pg.Client({ ...base, ssl: { rejectUnauthorized: true } });
    await expect(wrongCa.connect()).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('dumps and resets the practice database', async () => {
    server.psql('CREATE TABLE t (x int); INSERT INTO t VALUES (41);', server.database);
    expect(server.dump()).toContain('CREATE TABLE public.t');
    server.reset();
    expect(server.dump()).not.toContain('CREATE TABLE public.t');
  });
});
