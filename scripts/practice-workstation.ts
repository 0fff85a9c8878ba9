/**
 * A practice workstation's automatic sender as a process (issue #17): connect to the practice's PostgreSQL server
 * (TLS required and verified), drain the shared outbox — recover lapsed claims, claim, deliver the stored messages
 * over the verified SMTP session, record — until nothing is due, then exit. Run with tsx:
 *
 *   RD_PG_PASSWORD=… RD_SMTP_PASSWORD=… RD_STAFF_PASSPHRASE=… tsx scripts/practice-workstation.ts --workstation front-desk-2 \
 *     --pg-host db.practice.example --pg-port 5432 --pg-database practice --pg-user releasedesk --pg-ca ca.pem \
 *     --smtp-host mail.practice.example --smtp-port 587 --smtp-security starttls --smtp-user records@… \
 *     --staff-id u-frontdesk-2 [--smtp-ca smtp-ca.pem] [--lease-ms 120000] [--max-ms N]
 *
 * Every option can also come from the environment (RD_WORKSTATION, RD_PG_HOST, RD_PG_PORT, RD_PG_DATABASE, RD_PG_USER,
 * RD_PG_CA_FILE, RD_SMTP_HOST, RD_SMTP_PORT, RD_SMTP_SECURITY, RD_SMTP_USER, RD_SMTP_CA_FILE, RD_STAFF_ID, RD_LEASE_MS,
 * RD_MAX_MS); secrets (RD_PG_PASSWORD, RD_SMTP_PASSWORD, RD_STAFF_PASSPHRASE) only from the environment, never argv
 * (argv is visible to every local user). The database connection is practice/connection.ts's: TLS ≥ 1.2 verified
 * against the practice's CA file only. The practice data key is unwrapped with the staff member's passphrase
 * (keys-repo.ts openPracticeKeys, argon2id), as when they sign in on a workstation: no key material on disk.
 *
 * Output (stdout, one line each, PHI-free): "READY <workstation>" once connected; "DRAINED <json>" with counts and the
 * epoch-ms times the draining started and ended; on failure "ERROR <code>" and exit code 1.
 */
import { readFileSync } from 'node:fs';
import { isAppError } from '../src/shared/errors';
import type { SmtpSettings } from '../src/main/services/delivery/smtp';
import { practicePoolConfig } from '../src/main/services/practice/connection';
import { openPgEngine } from '../src/main/services/practice/pg-engine';
import { openPracticeKeys } from '../src/main/services/practice/keys-repo';
import { practiceQueueIo } from '../src/main/services/practice/queue-io';
import { QueueWorker } from '../src/main/services/practice/queue-worker';
import { destroyPracticeKeys } from '../src/main/services/practice/sealing';

/** The value of `--name` in argv, else the environment variable, else `fallback`. */
function option(name: string, env: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : process.env[env];
  if (v !== undefined && v !== '') return v;
  if (fallback !== undefined) return fallback;
  throw Object.assign(new Error(`missing --${name} / ${env}`), { code: 'VALIDATION_FAILED' });
}

function secret(env: string): string {
  const v = process.env[env];
  if (!v) throw Object.assign(new Error(`missing ${env}`), { code: 'VALIDATION_FAILED' });
  return v;
}

async function main(): Promise<void> {
  const workstation = option('workstation', 'RD_WORKSTATION');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(workstation)) throw Object.assign(new Error('bad workstation id'), { code: 'VALIDATION_FAILED' });
  // TLS required and verified against the practice's CA only (practice/connection.ts; 45 CFR 164.312(e)(1)).
  const engine = openPgEngine(
    practicePoolConfig(
      {
        host: option('pg-host', 'RD_PG_HOST'),
        port: Number(option('pg-port', 'RD_PG_PORT', '5432')),
        database: option('pg-database', 'RD_PG_DATABASE'),
        user: option('pg-user', 'RD_PG_USER'),
        caPem: readFileSync(option('pg-ca', 'RD_PG_CA_FILE'), 'utf8'),
      },
      secret('RD_PG_PASSWORD'),
      { max: 3 },
    ),
  );
  const keys = await openPracticeKeys(engine, { id: option('staff-id', 'RD_STAFF_ID'), passphrase: secret('RD_STAFF_PASSPHRASE') });
  const queue = { engine, io: practiceQueueIo(keys) };
  const smtpCa = option('smtp-ca', 'RD_SMTP_CA_FILE', '');
  const smtp: SmtpSettings = {
    host: option('smtp-host', 'RD_SMTP_HOST'),
    port: Number(option('smtp-port', 'RD_SMTP_PORT', '587')),
    security: option('smtp-security', 'RD_SMTP_SECURITY', 'starttls') === 'tls' ? 'tls' : 'starttls',
    username: option('smtp-user', 'RD_SMTP_USER'),
    password: secret('RD_SMTP_PASSWORD'),
  };
  const worker = new QueueWorker({
    engine: queue.engine,
    io: queue.io,
    workstation: { id: workstation },
    smtp,
    ...(smtpCa ? { smtpCa: [readFileSync(smtpCa, 'utf8')] } : {}),
    leaseMs: Number(option('lease-ms', 'RD_LEASE_MS', '120000')),
    logger: { warn: (event, facts) => process.stderr.write(`${event} ${JSON.stringify(facts)}\n`) },
  });
  process.stdout.write(`READY ${workstation}\n`);
  const startedAt = Date.now();
  const maxMs = option('max-ms', 'RD_MAX_MS', '');
  try {
    const s = await worker.drain(maxMs ? { maxMs: Number(maxMs) } : {});
    const byStatus: Record<string, number> = {};
    for (const d of s.delivered) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    process.stdout.write(`DRAINED ${JSON.stringify({ workstation, claimed: s.delivered.length, byStatus, recovered: s.recovered.length, waiting: s.waiting, startedAt, endedAt: Date.now() })}\n`);
  } finally {
    destroyPracticeKeys(keys);
    await queue.engine.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const code = isAppError(e) ? e.code : typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'INTERNAL';
    process.stdout.write(`ERROR ${code}\n`);
    process.exit(1);
  },
);
