import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendPracticeAudit, verifyPracticeAudit } from '../../../src/main/services/practice/audit-repo';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import { setUpPracticeKey } from '../../../src/main/services/practice/keys-repo';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { createPracticeRequest, findPracticeRequestsByMrn, getPracticeRequest, setPracticeRequestStatus } from '../../../src/main/services/practice/requests-repo';
import { openSqliteEngine } from '../../../src/main/services/practice/sqlite-engine';
import { engines } from '../../support/practice-engines';

/** Synthetic patients only. */
const PATIENTS = [
  { name: 'Zyxwv Testpatient', dob: ['1961-04-23', '04/23/1961', '4/23/1961', '19610423'], mrn: 'MRN-58213-QX', email: 'zyxwv.testpatient@example.test' },
  { name: 'Qwertyuiop Ñandúvaca', dob: ['1987-11-05', '11/05/1987', '11/5/1987', '19871105'], mrn: 'MRN-77120-KB', email: 'qwerty.nandu@example.test' },
  { name: 'Плокиюх Тестова', dob: ['2003-02-17', '02/17/2003', '2/17/2003', '20030217'], mrn: 'MRN-30447-ZR', email: 'plokijuh.testova@example.test' },
];

/** Every needle in the encodings a file or dump could hold it in: UTF-8 (as typed, upper, lower), UTF-16LE/BE, hex, base64. */
function needles(): { label: string; bytes: Buffer }[] {
  const out: { label: string; bytes: Buffer }[] = [];
  for (const p of PATIENTS) {
    for (const [what, s] of [['name', p.name], ['family name', p.name.split(' ')[1]!], ...p.dob.map((d) => ['date of birth', d]), ['MRN', p.mrn], ['MRN without prefix', p.mrn.slice(4)], ['email', p.email]] as const) {
      const forms = new Set([s, s.toUpperCase(), s.toLowerCase()]);
      for (const f of forms) {
        out.push({ label: `${what} (UTF-8)`, bytes: Buffer.from(f, 'utf8') });
        out.push({ label: `${what} (UTF-16LE)`, bytes: Buffer.from(f, 'utf16le') });
        out.push({ label: `${what} (UTF-16BE)`, bytes: Buffer.from(f, 'utf16le').swap16() });
        out.push({ label: `${what} (hex)`, bytes: Buffer.from(Buffer.from(f, 'utf8').toString('hex'), 'latin1') });
        if (f.length >= 6) out.push({ label: `${what} (base64)`, bytes: Buffer.from(Buffer.from(f, 'utf8').toString('base64').replace(/=+$/, '').slice(0, -2), 'latin1') });
      }
    }
  }
  return out;
}

/**
 * `label in file` for every needle found in any of the files (never the needle itself: this output is a test
 * report). One pass per file: all needles as one regular expression over the file's bytes read as latin1.
 */
function findings(files: { name: string; bytes: Buffer }[]): string[] {
  const labels = new Map<string, Set<string>>();
  for (const n of needles()) {
    const k = n.bytes.toString('latin1');
    labels.set(k, (labels.get(k) ?? new Set()).add(n.label));
  }
  const any = new RegExp([...labels.keys()].sort((a, b) => b.length - a.length).map((k) => k.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')).join('|'), 'g');
  const hits = new Set<string>();
  for (const f of files) {
    for (const m of f.bytes.toString('latin1').matchAll(any)) for (const l of labels.get(m[0])!) hits.add(`${l} in ${f.name}`);
  }
  return [...hits];
}

function filesUnder(dir: string, root = dir): { name: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) return filesUnder(p, root);
    return st.isFile() ? [{ name: p.slice(root.length + 1), bytes: readFileSync(p) }] : [];
  });
}

/** Requests and audit events for the synthetic patients, written through the repositories as a workstation would. */
async function workload(db: SqlEngine): Promise<void> {
  const keys = await setUpPracticeKey(db, { id: 'usr_admin1', passphrase: 'admin passphrase words' }, '2026-03-01T08:00:00.000Z');
  for (let round = 0; round < 5; round++) {
    for (const p of PATIENTS) {
      await db.transaction(async (tx) => {
        const r = await createPracticeRequest(tx, keys, {
          receivedOn: '2026-03-02',
          dueOn: '2026-04-01',
          at: '2026-03-02T09:00:00.000Z',
          phi: { patientName: p.name, dateOfBirth: p.dob[0]!, mrn: p.mrn, requesterName: p.name, requesterEmail: p.email, description: `Visit notes for ${p.name}, DOB ${p.dob[1]}, ${p.mrn}` },
        });
        await appendPracticeAudit(tx, keys, { at: '2026-03-02T09:00:00.000Z', actor: 'usr_admin1', action: 'request.create', outcome: 'success', subjectType: 'request', subjectId: r.id, detail: { patient: p.name, dob: p.dob[0], mrn: p.mrn, email: p.email } });
        await setPracticeRequestStatus(tx, r.id, 'verifying', '2026-03-02T10:00:00.000Z');
      });
    }
  }
  // the data is really there for the practice
  const [hit] = await findPracticeRequestsByMrn(db, keys, PATIENTS[1]!.mrn);
  expect((await getPracticeRequest(db, keys, hit!.id)).phi.patientName).toBe(PATIENTS[1]!.name);
  expect((await verifyPracticeAudit(db, keys)).intact).toBe(true);
}

const pg = engines().find((h) => h.name === 'postgres');

describe.skipIf(!pg)('PHI never reaches the PostgreSQL server in clear', () => {
  const h = pg!;
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('pg_dump of the practice database and the server’s data files (after CHECKPOINT) hold no synthetic patient’s name, date of birth, MRN or email', { timeout: 180_000 }, async () => {
    const db = await h.fresh();
    try {
      await workload(db);
    } finally {
      await db.close();
    }
    const dump = h.server!.dump();
    expect(dump).toContain('practice_requests'); // the dump is real
    h.server!.psql('CHECKPOINT;');
    h.server!.psql('CHECKPOINT;');
    const files = filesUnder(h.server!.dataDir);
    expect(files.some((f) => f.name.startsWith('pg_wal/'))).toBe(true);
    expect(findings([{ name: 'pg_dump', bytes: Buffer.from(dump, 'utf8') }, ...files])).toEqual([]);
    // and the check can see: a row written in clear on purpose is found in both
    h.server!.psql(`CREATE TABLE canary (s text); INSERT INTO canary VALUES ('${PATIENTS[0]!.name} ${PATIENTS[0]!.dob[1]}'); CHECKPOINT;`, h.server!.database);
    const again = findings([{ name: 'pg_dump', bytes: Buffer.from(h.server!.dump(), 'utf8') }, ...filesUnder(h.server!.dataDir)]);
    expect(again).toEqual(expect.arrayContaining(['name (UTF-8) in pg_dump', 'date of birth (UTF-8) in pg_dump']));
    expect(again.some((x) => x.startsWith('name (UTF-8) in base/'))).toBe(true);
  });
});

describe('PHI never reaches the embedded practice file in clear', () => {
  it('the SQLCipher file and its WAL hold no synthetic patient’s name, date of birth, MRN or email', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-practice-rest-'));
    try {
      const db = openSqliteEngine({ file: join(dir, 'practice.db'), key: randomBytes(32) });
      await migratePractice(db);
      await workload(db);
      const during = filesUnder(dir);
      expect(during.some((f) => f.name.endsWith('-wal'))).toBe(true);
      expect(findings(during)).toEqual([]);
      await db.close();
      expect(findings(filesUnder(dir))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
