/**
 * Every shipped vault migration runs exactly the statements it ran when it shipped, and leaves exactly the schema
 * it left: a vault migrated by an older build and one migrated by this build are the same database. Refactoring a
 * migration's source (shared builders, fragments) must keep both fingerprints below; a new migration adds a row.
 *
 * - statements: SHA-256 over what `up` hands to the database, in order — each `exec` text (consecutive `exec`
 *   calls joined, since SQLite runs them as one script), each `prepare` text with the arguments it ran with, and
 *   each `pragma`;
 * - schema: SHA-256 over `sqlite_master` (type, name, table, SQL text) after the step, with a seeded row in the
 *   tables a data-moving step copies, so the copy statements run on rows.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../src/main/services/vault/migrations';

type Db = InstanceType<typeof Database>;

/** Fingerprints of the shipped migrations: version → [statements, schema after the step]. */
const SHIPPED: Record<number, [string, string]> = {
  1: ['906bd5b5f5a1642203819b121eb16b7cc93397fe7443f50a5b2ebd6ea48850df', '465591981e757f97672b5b0fd95fae88cfcb1636e72813a4d2c6a753ddddd026'],
  2: ['9647612760e39aa81ca7c782b721c844fac324eb13b325e8a4e5a4b3fed72a4c', '91fe8232fc79f8e7707163d5f3049247835cb222bb999654783ca5524e2b5e04'],
  3: ['bf218eaed79f379183c3ceaca7c82d682184d34d2b2a6740dbb47afb98c43f21', '4affa62b113c60666b89bed7ba2cde854201846443b0818193890c9e98cab2e5'],
  4: ['df027f1725395e89ddc88bd6b9512a3962eaf8db8c907f334428b4bad0fa1201', '63a1ef32fe3dbc6678ab4a04713e49dfedb6cc45267dd97741915db942745eb0'],
  5: ['ed451ad5ba010f592ae0b9f05e21cc3449410e1f48d95e4472c95c6e930f6945', 'e897debcf000d3e35d4409a2e9810ce90b48959dbc280ea0b0dc7e5467d3f8d5'],
  6: ['a080e967520bf4abfd7ea90713204246e204c9a5a702e6d43bcbb8f29bd99bdf', '3163a085154b5e195e91ea3a60a0774e7c688a09e0e5549bf869c0a3648066b1'],
  7: ['7fa2c55da92d1d74358fac50383804c58913b2f577b673e797fc175a05ce5ed5', 'a11966b2b47fc3a9e03b2103efcc26db9f2be9e32e9dc349497018a9bafe592b'],
  8: ['2bcd7eef0faf241d3f63fa2776d4a732b2e3f8308d49809a5a1cd8eab3ae5882', '7cf00ddb4cf0380ae6ead191000451fb366a942cf585313ea6bd9a398e23c21c'],
  9: ['2728d76e453159b18826e3e750f3514745fc90d6c4ba717a6a67e05450ba7592', '746d1d1ee82993714275fbaec94fb031c39cc290a11a692acddbffab7a9d1754'],
  10: ['407f368a91c5b77db0ccaee33fa06ba3c8586ed81e5f7857a619c16edaa4fc9a', '58b89d89019ba6beab05b3457bdb27944e5a7d5112e4207b7f6d59fbedf8d4cf'],
  11: ['bb02b4037e45e7829bd384199308ab9eef6262c3f95e86283b24380d931334aa', 'bedd7a7483ecd8b1be75f6f84df3e0a68fbb60991a1a763b74b4f5a119b581ff'],
  12: ['4c5ddaf8c79be93d713be5899619244b9adf530e048dc0cf26b05f502757ffb1', '19e40467843c9315d0f681fab703948533f2f25efaddd883e715eada9632eb63'],
  13: ['4a8e94b509d1680e633fbe380a5cd7113c0713b158ea10a9d14292d08cb8b081', '3308e3afa73a836fbea79fbb0158a8401323eaa89e2bb762afeced352d2b5e1f'],
  14: ['035af6ae061447a41389ef681e8e99c38394927fae1bd26ffdf249b9790b031b', 'ce56c553525fc755334ac69cf5b922918abe59796353f70f0aeec9fb1a342480'],
  15: ['155fb6fb40def4239838c6f164d15ed0b4265ca92abfb322411733eb097845b6', '13e2f2f150f98941d921fc3a97620a9a579f04e1226e6a4c8414e73bea1730f7'],
  16: ['22407fe9bb6374371fce0622ef1295b9ab3a347ddd1b47aa68375a1a1b3539f1', 'e5d493fb4fbb898a1aa340d2db80a5a656e685389d68a1c7c9d8685634f4709e'],
  17: ['50ba6fe47919025aeafe337344eedbb7d647e5382e54d29b7c83bd6597e1bccc', '6907dc69dc1f2159d83b72138fca58d7c684ed3af2dcb72eadb38c66416ca99f'],
  18: ['d4acf497bf4fdaa8c7e2a0f3e40b1f5983ee51223f7a58a156289b3b5608a10f', '7b42c24fcd2ec6028b0d6a79e3bb1867735238ce757b87b16034ffe25f12c9bb'],
  19: ['80b38cf78ee07a0648b2787ff4ad808b50fd0bcdcc941893c50456282948f684', 'f201521bb1e9f30e5ddf338188e69c829cbcf470200eeb37fc67b92ff3238a38'],
};

/** A stand-in for the database that records what a migration asks of it, then does it. */
function recording(db: Db, log: string[]): Db {
  const push = (kind: string, text: string) => {
    const last = log.length - 1;
    if (kind === 'exec' && last >= 0 && log[last]!.startsWith('exec\u0000')) log[last] += text;
    else log.push(`${kind}\u0000${text}`);
  };
  const wrapStatement = (sql: string, st: ReturnType<Db['prepare']>) =>
    new Proxy(st, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          push(`stmt.${String(prop)}`, `${sql}\u0000${JSON.stringify(args, (_k, x: unknown) => (Buffer.isBuffer(x) || (x as { type?: string })?.type === 'Buffer' ? createHash('sha256').update(Buffer.from(x as Buffer)).digest('hex') : x))}`);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'exec') return (sql: string) => (push('exec', sql), target.exec(sql));
      if (prop === 'pragma') return (sql: string, opts?: { simple?: boolean }) => (push('pragma', sql), target.pragma(sql, opts));
      if (prop === 'prepare') return (sql: string) => (push('prepare', sql), wrapStatement(sql, target.prepare(sql)));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function schema(db: Db): string {
  const rows = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
  return sha256(JSON.stringify(rows));
}

/** Rows the data-moving steps copy (an outbox message for 005 and 015), added just before that step. */
function seedBefore(db: Db, version: number): void {
  if (version === 5) {
    db.exec(`
      INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn, recipient_email)
        VALUES ('rel_1', 'R-1', 'draft', 't', 't', 'Zyxwv Testpatient', '1980-01-01', 'MRN-1', 'x@example.test');
      INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, method, documents_json, message_id, smtp_response,
                                 tls_protocol, tls_cipher, recipient_key_fpr, parts_total, parts_sent)
        VALUES ('tx_1', 'rel_1', 't', 's@example.test', 'R', 'x@example.test', 'password-pdf', '[]', '<m@x>', '', '', '', '', 2, 1);
      INSERT INTO outbox_messages (release_id, part, part_of, message_id, raw) VALUES ('rel_1', 2, 2, '<m2@x>', x'0102030405');
    `);
  }
}

function fingerprints(): Map<number, [string, string]> {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  const out = new Map<number, [string, string]>();
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    seedBefore(db, m.version);
    const log: string[] = [];
    db.transaction(() => {
      m.up(recording(db, log));
      db.pragma(`user_version = ${m.version}`);
    })();
    out.set(m.version, [sha256(log.join('\u0001')), schema(db)]);
  }
  db.close();
  return out;
}

describe('shipped vault migrations', () => {
  const now = fingerprints();
  if (process.env.PRINT_MIGRATION_FINGERPRINTS) console.log(JSON.stringify(Object.fromEntries(now)));

  it.each(Object.entries(SHIPPED))('migration %s runs the same statements and leaves the same schema', (version, expected) => {
    expect(now.get(Number(version))).toEqual(expected);
  });
});
