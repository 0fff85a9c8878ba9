import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADVISORY_LOCKS, advisoryXactLock, isUniqueViolation, sqlTypes, withRetry, type SqlEngine } from '../../../src/main/services/practice/engine';
import { openPgEngine } from '../../../src/main/services/practice/pg-engine';
import { openSqliteEngine, translatePlaceholders } from '../../../src/main/services/practice/sqlite-engine';
import { engines, pgConfig } from '../../support/practice-engines';

const SECRET = 'Zyxwv Testpatient MRN-58213-QX';

describe.each(engines())('practice SqlEngine on $name', (h) => {
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  let db: SqlEngine;
  beforeEach(async () => {
    db = await h.fresh({ migrate: false });
    const t = sqlTypes(db.dialect);
    await db.run(`CREATE TABLE t (id ${t.key} PRIMARY KEY, n ${t.bigint} NOT NULL, b ${t.bytes}, s TEXT)`);
  });
  afterEach(() => db.close());

  it('binds $1..$n in order, out of order and twice, and leaves "$1" inside string literals alone', async () => {
    await db.run('INSERT INTO t (id, n, s) VALUES ($2, $1, $2)', [7, 'a']);
    const r = await db.one<{ id: string; n: number; s: string; lit: string }>("SELECT id, n, s, '$1' AS lit FROM t WHERE id = $1 AND n = $2", ['a', 7]);
    expect(r).toEqual({ id: 'a', n: 7, s: 'a', lit: '$1' });
  });

  it('returns bytes as Buffer and 64-bit integers (and count(*)) as numbers', async () => {
    const bytes = randomBytes(40);
    await db.run('INSERT INTO t (id, n, b) VALUES ($1, $2, $3)', ['x', 2 ** 40 + 3, bytes]);
    const r = await db.one<{ n: number; b: Buffer }>('SELECT n, b FROM t WHERE id = $1', ['x']);
    expect(r!.n).toBe(2 ** 40 + 3);
    expect(Buffer.isBuffer(r!.b)).toBe(true);
    expect(r!.b.equals(bytes)).toBe(true);
    const c = await db.one<{ c: number }>('SELECT count(*) AS c FROM t');
    expect(c).toEqual({ c: 1 });
  });

  it('one() is undefined for no rows; run() reports the rows changed', async () => {
    expect(await db.one('SELECT id FROM t WHERE id = $1', ['none'])).toBeUndefined();
    await db.run('INSERT INTO t (id, n) VALUES ($1, 1), ($2, 1)', ['a', 'b']);
    expect(await db.run('UPDATE t SET n = n + 1 WHERE n = $1', [1])).toEqual({ changes: 2 });
  });

  it('a transaction commits when its callback resolves and rolls back everything when it throws', async () => {
    const v = await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (id, n) VALUES ($1, $2)', ['kept', 1]);
      return 42;
    });
    expect(v).toBe(42);
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (id, n) VALUES ($1, $2)', ['lost', 1]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.all<{ id: string }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual(['kept']);
  });

  it('a nested transaction is a savepoint: its failure rolls back only its own writes', async () => {
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (id, n) VALUES ($1, 1)', ['outer']);
      await expect(
        tx.transaction(async (inner) => {
          await inner.run('INSERT INTO t (id, n) VALUES ($1, 1)', ['inner']);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await tx.transaction(async (inner) => inner.run('INSERT INTO t (id, n) VALUES ($1, 1)', ['inner2']));
    });
    expect((await db.all<{ id: string }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual(['inner2', 'outer']);
  });

  it('a unique violation is PRACTICE_DB_CONFLICT with SQLSTATE 23505 and a message that does not quote the value', async () => {
    await db.run('INSERT INTO t (id, n) VALUES ($1, 1)', [SECRET]);
    const err = await db.run('INSERT INTO t (id, n) VALUES ($1, 1)', [SECRET]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PRACTICE_DB_CONFLICT', detail: { sqlstate: '23505' } });
    expect(isUniqueViolation(err)).toBe(true);
    expect(JSON.stringify({ m: (err as Error).message, d: (err as { detail: unknown }).detail })).not.toContain('Zyxwv');
  });

  it('a statement the engine cannot run is PRACTICE_DB_FAILED, PHI-free', async () => {
    const err = await db.one(`SELECT nosuchcolumn_${'x'} FROM t WHERE s = '${SECRET}'`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PRACTICE_DB_FAILED' });
    expect((err as Error).message).not.toContain('Zyxwv');
    expect((err as Error).message).not.toContain('nosuchcolumn');
  });

  it('concurrent read-modify-write transactions under the advisory lock lose no update', async () => {
    await db.run('INSERT INTO t (id, n) VALUES ($1, 0)', ['counter']);
    const other = h.another?.() ?? db;
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : db).transaction(async (tx) => {
            await advisoryXactLock(tx, ADVISORY_LOCKS.auditChain);
            const r = await tx.one<{ n: number }>('SELECT n FROM t WHERE id = $1', ['counter']);
            await new Promise((res) => setTimeout(res, 2));
            await tx.run('UPDATE t SET n = $1 WHERE id = $2', [r!.n + 1, 'counter']);
          }),
        ),
      );
    } finally {
      if (other !== db) await other.close();
    }
    expect(await db.one('SELECT n FROM t WHERE id = $1', ['counter'])).toEqual({ n: 20 });
  });

  it('a statement outside a transaction never joins it: it waits (SQLite) or does not see uncommitted rows (PostgreSQL)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO t (id, n) VALUES ($1, 1)', ['pending']);
      await gate;
    });
    await new Promise((r) => setTimeout(r, 20));
    const outside = db.one<{ c: number }>('SELECT count(*) AS c FROM t');
    if (db.dialect === 'postgres') expect(await outside).toEqual({ c: 0 });
    release();
    await tx;
    if (db.dialect === 'sqlite') expect(await outside).toEqual({ c: 1 });
    expect(await db.one('SELECT count(*) AS c FROM t')).toEqual({ c: 1 });
  });

  it('a transaction handle refuses use after its transaction ended', async () => {
    let kept!: SqlEngine;
    await db.transaction(async (tx) => {
      kept = tx;
    });
    await expect(kept.one('SELECT 1 AS one')).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('SQLite engine specifics', () => {
  it('translates $n to positional ? and skips literals, quoted identifiers and comments', () => {
    expect(translatePlaceholders(`SELECT $2, '$1 it''s', "$3" -- $4\n, $1 /* $5 */`)).toEqual({ text: `SELECT ?, '$1 it''s', "$3" -- $4\n, ? /* $5 */`, order: [1, 0] });
  });

  it('a keyed file is unreadable without its key: the wrong key is PRACTICE_KEY_WRONG, and the file holds no plaintext', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-practice-'));
    try {
      const file = join(dir, 'practice.db');
      const key = randomBytes(32);
      const e = openSqliteEngine({ file, key });
      await e.run('CREATE TABLE t (s TEXT)');
      await e.run('INSERT INTO t (s) VALUES ($1)', [SECRET]);
      await e.close();
      expect(readFileSync(file).includes(Buffer.from('Zyxwv'))).toBe(false);
      expect(() => openSqliteEngine({ file, key: randomBytes(32) })).toThrow(expect.objectContaining({ code: 'PRACTICE_KEY_WRONG' }));
      const again = openSqliteEngine({ file, key });
      expect(await again.one('SELECT s FROM t')).toEqual({ s: SECRET });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file without a 32-byte key is refused (VALIDATION_FAILED)', () => {
    expect(() => openSqliteEngine({ file: '/tmp/never-created.db' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('a closed engine answers PRACTICE_DB_UNAVAILABLE', async () => {
    const e = openSqliteEngine({ file: ':memory:' });
    await e.close();
    await expect(e.one('SELECT 1 AS one')).rejects.toMatchObject({ code: 'PRACTICE_DB_UNAVAILABLE' });
  });
});

const pgHarness = engines().find((x) => x.name === 'postgres');
describe.skipIf(!pgHarness)('PostgreSQL engine connection failures (coded, PHI-free)', () => {
  const h = pgHarness!;
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('withRetry re-runs a transaction PostgreSQL aborted as a serialization failure (40001): both writers commit, no update lost', async () => {
    const db = await h.fresh({ migrate: false });
    const other = h.another!();
    try {
      await db.run('CREATE TABLE s (k TEXT PRIMARY KEY, n BIGINT NOT NULL)');
      await db.run("INSERT INTO s (k, n) VALUES ('a', 0)");
      let attempts = 0;
      let readers = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((r) => (release = r));
      const errors: unknown[] = [];
      const bump = (e: SqlEngine) =>
        withRetry(e, async (tx) => {
          attempts++;
          await tx.run('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
          const r = await tx.one<{ n: number }>("SELECT n FROM s WHERE k = 'a'");
          if (++readers === 2) release();
          await bothRead;
          try {
            await tx.run("UPDATE s SET n = $1 WHERE k = 'a'", [r!.n + 1]);
          } catch (err) {
            errors.push(err);
            throw err;
          }
        });
      await Promise.all([bump(db), bump(other)]);
      expect(await db.one("SELECT n FROM s WHERE k = 'a'")).toEqual({ n: 2 });
      expect(attempts).toBe(3);
      expect(errors).toEqual([expect.objectContaining({ code: 'PRACTICE_DB_FAILED', detail: expect.objectContaining({ sqlstate: '40001' }) })]);
    } finally {
      await other.close();
      await db.close();
    }
  });

  it('a connection terminated inside a transaction fails that transaction with PRACTICE_DB_UNAVAILABLE and does not end the process; the pool reconnects', async () => {
    const db = await h.fresh({ migrate: false });
    try {
      const err = await db
        .transaction(async (tx) => {
          const me = await tx.one<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          h.server!.psql(`SELECT pg_terminate_backend(${me!.pid});`);
          await new Promise((r) => setTimeout(r, 300));
          await tx.one('SELECT 1 AS one');
        })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PRACTICE_DB_UNAVAILABLE' });
      expect(await db.one('SELECT 1 AS one')).toEqual({ one: 1 });
    } finally {
      await db.close();
    }
  });

  it('a server certificate not signed by the configured CA is TLS_CERT_UNTRUSTED', async () => {
    const e = openPgEngine({ ...pgConfig(h.server!), ssl: { rejectUnauthorized: true } });
    await expect(e.one('SELECT 1 AS one')).rejects.toMatchObject({ code: 'TLS_CERT_UNTRUSTED' });
    await e.close();
  });

  it('a wrong password is PRACTICE_DB_AUTH_FAILED', async () => {
    const e = openPgEngine({ ...pgConfig(h.server!), password: 'not-the-password' });
    await expect(e.one('SELECT 1 AS one')).rejects.toMatchObject({ code: 'PRACTICE_DB_AUTH_FAILED', detail: { sqlstate: '28P01' } });
    await e.close();
  });

  it('a port where nothing listens is PRACTICE_DB_UNAVAILABLE, for statements and transactions alike', async () => {
    const e = openPgEngine({ ...pgConfig(h.server!), port: 1 });
    await expect(e.one('SELECT 1 AS one')).rejects.toMatchObject({ code: 'PRACTICE_DB_UNAVAILABLE' });
    await expect(e.transaction(async () => 1)).rejects.toMatchObject({ code: 'PRACTICE_DB_UNAVAILABLE' });
    await e.close();
  });

  it('without TLS the server refuses the connection (hostnossl reject): no cleartext session', async () => {
    const e = openPgEngine({ ...pgConfig(h.server!), ssl: false });
    await expect(e.one('SELECT 1 AS one')).rejects.toMatchObject({ code: 'PRACTICE_DB_AUTH_FAILED' });
    await e.close();
  });
});
