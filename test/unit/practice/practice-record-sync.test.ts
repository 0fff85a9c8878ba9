/**
 * The whole of a request travels between two workstations (two vaults, two service stacks, each with its own practice
 * link) through one REAL PostgreSQL (TLS required): its authorization, identity check, unencrypted-email choice, draft
 * release and record files made on A are on B after one pass each, files byte-identical; B completes the release
 * wizard on A's release and it is delivered once through the shared outbox (counted at a real SMTP server with
 * STARTTLS), A then sees it sent; changes go both ways; a record changed on both sides is one conflict, nothing
 * merged; a file's push cut half-way resumes without a second copy of any chunk; a workstation offline keeps working
 * and pushes its records when the server is back; the server holds no name, MRN, date of birth, file name or file
 * byte in clear. Synthetic data only.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelInput } from '../../../src/shared/contract';
import { UNENCRYPTED_EMAIL_WARNING_VERSION } from '../../../src/shared/compliance-text';
import { readDocument } from '../../../src/main/services/documents/repo';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import { readLink } from '../../../src/main/services/practice/link-vault-repo';
import { openPgEngine } from '../../../src/main/services/practice/pg-engine';
import { destroyPracticeKeys, practiceKeys } from '../../../src/main/services/practice/sealing';
import { syncPass } from '../../../src/main/services/practice/sync-pass';
import { goodAuthorization, intake, file, PASSPHRASE, recordPdf, startBackend, TZ, type Backend } from '../../support/backend';
import { copiesAtServer } from '../../support/practice-queue';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { bulkyRecord } from '../../support/records';
import { startSmtpServer, type RunningSmtpServer } from '../../support/smtp';
import { tcpRelay, type TcpRelay } from '../../support/tcp-relay';
import { requireTool } from '../../support/tools';

const HAVE = requirePostgres() && ['openssl', 'qpdf'].every((t) => requireTool(t));
const PATIENT = { name: 'Qwertyuiop Recordsync', dateOfBirth: '1958-04-23', mrn: 'MRN-60428-RS' };
const FILE_NAME = 'Qwertyuiop Recordsync chart.pdf';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An engine that throws (as a dropped connection would) once `n` document chunks were written through it. */
function failingAfterChunks(engine: SqlEngine, n: number): SqlEngine {
  let written = 0;
  return {
    dialect: engine.dialect,
    all: (sql, p) => engine.all(sql, p),
    one: (sql, p) => engine.one(sql, p),
    run: async (sql, p) => {
      if (sql.includes('INSERT INTO practice_document_chunks') && written++ >= n) throw new Error('connection dropped (test)');
      return engine.run(sql, p);
    },
    transaction: (fn) => engine.transaction(fn),
    close: () => engine.close(),
  };
}

describe.skipIf(!HAVE)('the rest of a request synchronised through the practice server (real PostgreSQL)', () => {
  let pg: RunningPostgres;
  let smtp: RunningSmtpServer;
  let a: Backend;
  let b: Backend;
  let cable: TcpRelay;
  let requestId = '';
  let releaseId = '';
  let authorizationId = '';
  const files: Buffer[] = [];

  beforeAll(async () => {
    [pg, smtp] = await Promise.all([startPostgres(), startSmtpServer()]);
    [a, b] = await Promise.all([startBackend({ smtpServer: smtp }), startBackend({ smtpServer: smtp })]);
    cable = await tcpRelay(pg.port);
    const settings = (port: number): ChannelInput<'practiceServer.configure'> => ({ host: pg.host, port, database: pg.database, user: pg.user, password: pg.password, caPem: pg.caPem });
    await a.call('practiceServer.configure', settings(cable.port));
    await b.call('practiceServer.configure', settings(pg.port));
    await a.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk A' });
    await b.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk B' });
    for (const w of [a, b]) if (w.clock.now().getTime() < Date.now()) w.clock.set(new Date().toISOString());
  }, 120_000);
  afterAll(async () => {
    await a?.services.practiceLink.close();
    await b?.services.practiceLink.close();
    await a?.close();
    await b?.close();
    await cable?.close();
    await smtp?.close();
    await pg?.stop();
  });

  it('a request made on A with its authorization, identity check, email choice, draft release and two record files is on B after one pass each, files byte-identical', async () => {
    const req = await a.call('requests.create', intake({ patient: PATIENT }));
    requestId = req.id;
    await a.call('requests.recordVerification', { requestId, subject: 'identity', method: 'photo_id_in_person', notes: 'driver licence' });
    authorizationId = (await a.call('authorizations.save', { requestId, authorization: goodAuthorization() })).id;
    await a.call('requests.recordUnencryptedEmailChoice', { requestId, warningVersion: UNENCRYPTED_EMAIL_WARNING_VERSION, prefersUnencrypted: true, chosenBy: 'patient', scope: 'this_release' });
    await a.call('requests.setStatus', { requestId, status: 'ready' });
    releaseId = (await a.call('releases.create', { requestId })).id;
    files.push(await recordPdf('Visit', PATIENT.name), await bulkyRecord('Labs', 1100)); // the second is over 1 MiB: two chunks
    a.stage([file(FILE_NAME, files[0]!), file('labs.pdf', files[1]!)]);
    const picked = await a.call('documents.pick', { releaseId });
    await a.call('documents.classify', { releaseId, items: picked.imported.map((d, i) => ({ documentId: d.id, category: i === 0 ? ('visit_notes' as const) : ('lab_results' as const), documentDate: '2025-06-01' })) });

    const pushed = await a.call('practiceServer.sync', {});
    expect(pushed).toMatchObject({ pushed: 1 + 1 + 2 + 1 + 1 + 1, pulled: 0, conflicts: 0 }); // request, release, 2 documents, authorization, verification, email choice
    const pulled = await b.call('practiceServer.sync', {});
    expect(pulled).toMatchObject({ pushed: 0, pulled: 7, conflicts: 0 });

    expect(await b.call('requests.get', { id: requestId })).toEqual(await a.call('requests.get', { id: requestId }));
    const relA = await a.call('releases.get', { id: releaseId });
    const relB = await b.call('releases.get', { id: releaseId });
    expect(relB.documents).toEqual(relA.documents);
    expect(relB.documents.map((d) => d.sha256)).toEqual(files.map(sha));
    for (const d of relB.documents) expect(sha(readDocument(b.services.session.require().db, d.id))).toBe(d.sha256);

    // Nothing changed since: empty passes on both sides.
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
  });

  it('B completes the release wizard on A’s release; it is delivered once through the shared outbox and A then sees it sent', async () => {
    const before = smtp.received.length;
    await b.call('releases.setRecipient', { releaseId, name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' });
    const sent = await b.call('releases.send', { releaseId, method: 'password-pdf' });
    expect(sent.release.status).toBe('with_practice_server');
    await b.services.releases.workflow.practice.cycle();
    await a.services.releases.workflow.practice.cycle();
    await b.services.releases.workflow.practice.cycle();
    const onB = await b.call('releases.get', { id: releaseId });
    expect(onB.status).toBe('sent');
    const copies = copiesAtServer(smtp.received.slice(before));
    expect(copies.size).toBe(1);
    expect(Math.max(...copies.values())).toBe(1);
    // The files B sent are A's files, byte for byte.
    expect(JSON.parse(JSON.stringify(onB.transmissions.at(-1)))).toBeTruthy();
    expect(onB.documents.map((d) => d.sha256)).toEqual(files.map(sha));

    // A sends nothing itself; after the next passes its copy of the release is no longer a draft it could send.
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ conflicts: 0 });
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ conflicts: 0 });
    expect((await a.call('releases.get', { id: releaseId })).status).toBe('sent');
    expect(copiesAtServer(smtp.received.slice(before)).size).toBe(1);
  });

  it('changes go both ways: an identity check recorded on B and an authorization revoked on A reach the other side', async () => {
    requestId = (await a.call('requests.create', intake({ patient: PATIENT }))).id;
    authorizationId = (await a.call('authorizations.save', { requestId, authorization: goodAuthorization() })).id;
    await a.call('practiceServer.sync', {});
    await b.call('practiceServer.sync', {});
    await b.call('requests.recordVerification', { requestId, subject: 'authority', method: 'representative_documentation', notes: '' });
    // the check and its request (recording it moves the request's updated time)
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pushed: 2, conflicts: 0 });
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pulled: 2, conflicts: 0 });
    expect((await a.call('requests.get', { id: requestId })).verifications).toEqual((await b.call('requests.get', { id: requestId })).verifications);

    await a.call('authorizations.revoke', { authorizationId, revocation: { receivedDate: '2026-01-20', method: 'written' } });
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 1, conflicts: 0 });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pulled: 1, conflicts: 0 });
    expect((await b.call('requests.get', { id: requestId })).authorization).toEqual((await a.call('requests.get', { id: requestId })).authorization);
  });

  it('a record changed on both sides becomes one conflict: shown, nothing merged, decided by keeping the server’s version', async () => {
    const req = await a.call('requests.create', intake({ patient: PATIENT }));
    const auth = await a.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
    await a.call('practiceServer.sync', {});
    await b.call('practiceServer.sync', {});
    await a.call('authorizations.revoke', { authorizationId: auth.id, revocation: { receivedDate: '2026-01-21', method: 'written' } });
    await b.call('authorizations.revoke', { authorizationId: auth.id, revocation: { receivedDate: '2026-01-22', method: 'electronic' } });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pushed: 1, conflicts: 0 });
    const mine = (await a.call('requests.get', { id: req.id })).authorization;
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 1 });
    expect((await a.call('requests.get', { id: req.id })).authorization).toEqual(mine); // A's own version untouched
    const conflicts = await a.call('practiceServer.conflicts', {});
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ requestId: req.id, patientName: PATIENT.name });
    expect(conflicts[0]!.fields.map((f) => f.label)).toContain('Authorization: Authorization details');
    expect((await a.call('practiceServer.status', {})).link.conflicts).toBe(1);
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 }); // left alone until decided

    expect(await a.call('practiceServer.resolveConflict', { conflictId: conflicts[0]!.id, keep: 'server' })).toEqual([]);
    expect((await a.call('requests.get', { id: req.id })).authorization).toEqual((await b.call('requests.get', { id: req.id })).authorization);
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
    const decided = (await a.call('audit.events', { limit: 50 })).filter((e) => e.action === 'practice_server.resolve_conflict');
    expect(decided[0]).toMatchObject({ outcome: 'success', subjectType: 'authorization', subjectId: auth.id, detail: { keep: 'server' } });
  });

  it('a file push cut half-way resumes with the missing chunks only; the server never holds a chunk twice', async () => {
    const req = await a.call('requests.create', intake({ patient: PATIENT }));
    const rel = await a.call('releases.create', { requestId: req.id });
    const big = await bulkyRecord('Imaging', 1500); // about 2.2 MB: three chunks
    a.stage([file('imaging.pdf', big)]);
    const [doc] = (await a.call('documents.pick', { releaseId: rel.id })).imported;
    const db = a.services.session.require().db;
    const link = readLink(db)!;
    const keys = practiceKeys(link.dataKey!);
    const engine = openPgEngine(a.services.practiceServer.activePoolConfig()!);
    const ctx = (e: SqlEngine) => ({ session: a.services.session, engine: e, keys, workstationId: link.workstationId, now: () => a.clock.now(), timeZone: TZ });
    try {
      await expect(syncPass(ctx(failingAfterChunks(engine, 1)))).rejects.toThrow(/connection dropped/);
      expect(pg.psql(`SELECT count(*) FROM practice_document_chunks WHERE document_id = '${doc!.id}';`, pg.database).trim()).toBe('1');
      expect(pg.psql(`SELECT complete_at IS NULL FROM practice_documents WHERE id = '${doc!.id}';`, pg.database).trim()).toBe('t');
      expect(pg.psql(`SELECT count(*) FROM practice_records WHERE kind = 'document' AND id = '${doc!.id}';`, pg.database).trim()).toBe('0'); // the description waits for the file

      const resumed = await syncPass(ctx(engine));
      expect(resumed.files).toMatchObject({ pushed: 1, chunks: 2 });
      expect(pg.psql(`SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM practice_document_chunks WHERE document_id = '${doc!.id}';`, pg.database).trim()).toBe('3|3|0|2');
    } finally {
      destroyPracticeKeys(keys);
      await engine.close();
    }
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ conflicts: 0 });
    const onB = await b.call('releases.get', { id: rel.id });
    expect(onB.documents.map((d) => d.sha256)).toEqual([sha(big)]);
    expect(readDocument(b.services.session.require().db, doc!.id).equals(big)).toBe(true);
  });

  it('A offline keeps preparing (authorization, identity check, files); when the server is back one pass pushes all of it', async () => {
    const req = await a.call('requests.create', intake({ patient: PATIENT }));
    await a.call('practiceServer.sync', {});
    await cable.cut();
    let relId: string;
    try {
      await a.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
      await a.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
      relId = (await a.call('releases.create', { requestId: req.id })).id;
      a.stage([file('offline visit.pdf', await recordPdf('Offline visit', PATIENT.name))]);
      await a.call('documents.pick', { releaseId: relId });
      const failed = await a.call('practiceServer.sync', {}).then(
        () => 'NONE',
        (e: { code: string }) => e.code,
      );
      expect(['PRACTICE_SERVER_UNREACHABLE', 'PRACTICE_DB_UNAVAILABLE', 'PRACTICE_SERVER_TIMEOUT']).toContain(failed);
    } finally {
      await cable.restore();
    }
    // the request (the authorization and the check moved its updated time), authorization, verification, release, document
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 5, conflicts: 0 });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pulled: 5, conflicts: 0 });
    expect(await b.call('requests.get', { id: req.id })).toEqual(await a.call('requests.get', { id: req.id }));
    expect((await b.call('releases.get', { id: relId })).documents).toEqual((await a.call('releases.get', { id: relId })).documents);
  });

  it('references are practice-wide: requests made at once on both workstations all get different server references, kept unchanged on the other side', async () => {
    const year = a.clock.now().getUTCFullYear();
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).call('requests.create', intake({ patient: PATIENT }))));
    const refs = made.map((r) => r.reference);
    expect(new Set(refs).size).toBe(12);
    for (const r of refs) expect(r).toMatch(new RegExp(`^Q-${year}-\\d{5}$`));
    await a.call('practiceServer.sync', {});
    await b.call('practiceServer.sync', {});
    await a.call('practiceServer.sync', {});
    for (const r of made) {
      expect((await a.call('requests.get', { id: r.id })).reference).toBe(r.reference);
      expect((await b.call('requests.get', { id: r.id })).reference).toBe(r.reference);
    }
    const registered = pg.psql("SELECT count(*), count(DISTINCT reference) FROM practice_references WHERE issued_by = 'server';", pg.database).trim();
    expect(registered.split('|').map(Number)[0]).toBeGreaterThanOrEqual(12);
    expect(new Set(registered.split('|')).size).toBe(1);
  });

  it('offline, a workstation issues its own reference (marked with its tag, audited as issued by the workstation) that is registered later and never changes', async () => {
    const link = readLink(a.services.session.require().db)!;
    const year = a.clock.now().getUTCFullYear();
    await cable.cut();
    let made: { id: string; reference: string };
    try {
      made = await a.call('requests.create', intake({ patient: PATIENT }));
    } finally {
      await cable.restore();
    }
    expect(made.reference).toBe(`Q-${year}-W${link.workstationId.slice(0, 6).toUpperCase()}-0001`);
    const created = (await a.call('audit.events', { limit: 50 })).find((e) => e.action === 'request.create' && e.detail.requestId === made.id);
    expect(created?.detail).toMatchObject({ referenceIssuedBy: 'workstation' });
    await a.call('practiceServer.sync', {});
    await b.call('practiceServer.sync', {});
    expect((await b.call('requests.get', { id: made.id })).reference).toBe(made.reference);
    expect((await a.call('requests.get', { id: made.id })).reference).toBe(made.reference);
    expect(pg.psql(`SELECT issued_by FROM practice_references WHERE reference = '${made.reference}';`, pg.database).trim()).toBe('workstation');
    // Online again: the next one comes from the server.
    expect((await a.call('requests.create', intake({ patient: PATIENT }))).reference).toMatch(new RegExp(`^Q-${year}-\\d{5}$`));
  });

  it('the practice database holds no name, MRN, date of birth, file name or file byte in clear (pg_dump)', () => {
    const dump = pg.dump();
    expect(dump).toContain('practice_document_chunks');
    for (const s of [PATIENT.name, 'Recordsync', PATIENT.mrn, PATIENT.dateOfBirth, FILE_NAME, 'Abcde Lawfirm', 'intake@lawfirm', 'driver licence']) expect(dump).not.toContain(s);
    // A run of each file's bytes as pg_dump writes bytea (hex), and as text.
    for (const f of files) {
      const mid = f.subarray(Math.floor(f.length / 2), Math.floor(f.length / 2) + 48);
      expect(dump).not.toContain(mid.toString('hex'));
    }
    expect(dump).not.toContain(files[0]!.subarray(200, 260).toString('hex'));
  });
});
