/**
 * Every shipped practice-store migration hands each engine exactly the statements it handed it when it shipped,
 * and the embedded (SQLite) store ends with exactly the same schema: a practice store migrated by an older build
 * and one migrated by this build are the same database. Refactoring a migration's source must keep both
 * fingerprints below; a new migration adds a row.
 *
 * - sqlite / postgres: SHA-256 over `up(dialect)` (the statement strings, in order, NUL-separated);
 * - schema: SHA-256 over the embedded store's `sqlite_master` (type, name, table, SQL text) after the step.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { migratePractice, practiceMigrations } from '../../../src/main/services/practice/migrate';
import { openSqliteEngine } from '../../../src/main/services/practice/sqlite-engine';

/** Fingerprints of the shipped migrations: version → [sqlite statements, postgres statements, sqlite schema after the step]. */
const SHIPPED: Record<number, [string, string, string]> = {
  1: ['cdef408ab437f21c387d88ff97db07bbb04658f9f37513bb27a32c2fd1acb35d', 'c0718e9358ccbc1da036dc451eec7a68eb081f8194a2c4f0fc7abca807a13edc', 'c8c6bdda6195cc5a8e9ba884802eaaec692e133b207a10e812089618232c6732'],
  2: ['0809407658bdb8f9ccfe8320cb49ded145e07597c4444a88717fec3483cac119', 'f44936f4c1f90a14e8d015e814dfee8f5a1c7fb041c333fb25c294e526033c72', '3ec848ba17e91a421d8c4206deee058317b7884c402f45519a0ea30c9f24ce7a'],
  3: ['43868ff8917b0c06246fe6d72e5ea45c92f4b8aecc257200f36a3f7f225bb583', 'f6af5be0e2b91d76fede7386b8be2c4d21f668b869b6ef515d9165332bd11036', '9781d19bb96a69f827faf0dbb928259b53cd0a020b09e63abc6630bc1a794c8b'],
  4: ['4806004746dd47ceeef39267232e1bdf39ec81d04794de07242e7ec77e095bef', '1be5fbaf846f25350e5b8d7fbc109c28c8a51350ed43336fded34351b21e8674', '090c46d62d397ed59e5acee45539d292a0cce5bd6b1dc5a4e735e012da6501f2'],
  7: ['4b00e370b9ed3939e5a420b8d8a405e06f4bfcf27a03dd4272b86cf0cecadd60', '7275b5b05f978288933e866936e0da50268bd91296ae441f1179e7cba4cfb293', 'ac2dd0b10fa773ce71f31a06323240b503d38dac170ec8eee3d597f276f361a0'],
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function fingerprints(): Promise<Map<number, [string, string, string]>> {
  const engine = openSqliteEngine({ file: ':memory:' });
  const out = new Map<number, [string, string, string]>();
  try {
    for (const m of [...practiceMigrations].sort((a, b) => a.version - b.version)) {
      await migratePractice(engine, m.version);
      const rows = await engine.all("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
      out.set(m.version, [sha256(m.up('sqlite').join('\u0000')), sha256(m.up('postgres').join('\u0000')), sha256(JSON.stringify(rows))]);
    }
  } finally {
    await engine.close();
  }
  return out;
}

describe('shipped practice-store migrations', () => {
  let now = new Map<number, [string, string, string]>();
  beforeAll(async () => {
    now = await fingerprints();
    if (process.env.PRINT_MIGRATION_FINGERPRINTS) console.log(JSON.stringify(Object.fromEntries(now)));
  });

  it.each(Object.entries(SHIPPED))('migration %s hands both engines the same statements and leaves the same schema', (version, expected) => {
    expect(now.get(Number(version))).toEqual(expected);
  });
});
