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
  5: ['22328f3927941fe3fa47c6de1bc4ae2098b0989210c0c898a7bbabd5ed38d255', 'f68aa40b2a82af43f3e360468f02192991cfd2de805d8dae4c182a1fc8f70924', '730fe920f3888d0c13419a765bafb56b9a087a93798c124a3f94f7870ce80758'],
  6: ['1535d78f09740eb312d819ea3015ce97cb46f6139bc0dd81c66b1967dc9d70c1', '5335ba438b3d6708332ba64240758f0fc6c4b06f28691af1a3282ee0abfa199b', 'b509eb187df0e51ab74bc088280cf1421e196a7540db226800891ca6d4c29a7d'],
  7: ['4b00e370b9ed3939e5a420b8d8a405e06f4bfcf27a03dd4272b86cf0cecadd60', '7275b5b05f978288933e866936e0da50268bd91296ae441f1179e7cba4cfb293', 'f16665849e34ecbd4da2462d031a63567d735074ca5d98dd166eb7eea58d2b72'],
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
