/**
 * Two workstations (two vaults, two service stacks) share one REAL PostgreSQL (TLS required) through the practice
 * link: joining (administrators only, the practice key made once and opened on the second workstation), requests
 * synchronised both ways with the same status and due date, a workstation that loses the server keeps working and
 * loses nothing, a request changed on both sides becomes one conflict (nothing merged) that staff decide either way
 * (audited, one version left on both sides), one shared audit chain holding both workstations' events once each and
 * verifying, and no synthetic patient's name, date of birth or MRN in a pg_dump.
 *
 * Workstation A reaches the server through a TCP relay the test can cut (a real network outage: connections refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestIntake, type ChannelInput } from '../../../src/shared/contract';
import { listPracticeAudit, verifyPracticeAudit } from '../../../src/main/services/practice/audit-repo';
import { readLink } from '../../../src/main/services/practice/link-vault-repo';
import { insertRequest } from '../../../src/main/services/requests/repo';
import { intake, PASSPHRASE, startBackend, type Backend } from '../../support/backend';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { tcpRelay, type TcpRelay } from '../../support/tcp-relay';

const have = requirePostgres();
const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };

/** Synthetic patients, one per request made in this file. */
const P = [
  { name: 'Zyxwv Testpatient', dateOfBirth: '1961-07-14', mrn: 'MRN-58213-QX' },
  { name: 'Qwertyuiop Nandutest', dateOfBirth: '1987-11-05', mrn: 'MRN-77120-KB' },
  { name: 'Plokijuh Testova', dateOfBirth: '2003-02-17', mrn: 'MRN-30447-ZR' },
  { name: 'Mnbvcx Samplename', dateOfBirth: '1949-09-30', mrn: 'MRN-99104-TT' },
  { name: 'Lkjhgf Fakeperson', dateOfBirth: '1975-03-21', mrn: 'MRN-41876-PW' },
];

describe.skipIf(!have)('two workstations synchronised through the practice server (real PostgreSQL)', () => {
  let server: RunningPostgres;
  let a: Backend;
  let b: Backend;
  let cable: TcpRelay;
  const ids: string[] = [];
  const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'NONE', message: '' }), (e: { code: string; message: string }) => e);
  const auditOf = async (w: Backend, action: string) => (await w.call('audit.events', { limit: 200 })).filter((e) => e.action === action);
  const create = async (w: Backend, n: number) => {
    const d = await w.call('requests.create', intake({ patient: P[n]!, basis: 'right_of_access', requester: { role: 'patient', name: P[n]!.name } }));
    ids[n] = d.id;
    return d;
  };

  beforeAll(async () => {
    [server, a, b] = await Promise.all([startPostgres(), startBackend(), startBackend()]);
    cable = await tcpRelay(server.port);
    const settings = (port: number): ChannelInput<'practiceServer.configure'> => ({ host: server.host, port, database: server.database, user: server.user, password: server.password, caPem: server.caPem });
    await a.call('practiceServer.configure', settings(cable.port));
    await b.call('practiceServer.configure', settings(server.port));
  }, 90_000);
  afterAll(async () => {
    await a?.services.practiceLink.close();
    await b?.services.practiceLink.close();
    await a?.close();
    await b?.close();
    await cable?.close();
    await server?.stop();
  });

  it('before joining, the link is not joined and nothing can be synchronised', async () => {
    expect((await a.call('practiceServer.status', {})).link).toEqual({ state: 'not_joined', workstationLabel: null, lastSyncAt: null, conflicts: 0 });
    expect((await refusal(a.call('practiceServer.sync', {}))).code).toBe('PRACTICE_KEY_NOT_WRAPPED');
  });

  it('refuses a join by a non-administrator (audited) and a wrong passphrase (coded, PHI-free, vault unchanged)', async () => {
    await a.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    const admin = a.services.session.currentUser()!;
    a.services.session.lock();
    await a.call('vault.unlock', { username: DANA.name, passphrase: DANA.pass });
    try {
      expect((await refusal(a.call('practiceServer.join', { passphrase: DANA.pass, workstationLabel: 'Front desk 1' }))).code).toBe('ROLE_NOT_PERMITTED');
    } finally {
      a.services.session.lock();
      await a.call('vault.unlock', { username: admin.name, passphrase: PASSPHRASE });
    }
    expect((await auditOf(a, 'rpc.role_refused')).map((e) => e.subjectId)).toContain('practiceServer.join');

    const wrong = await refusal(a.call('practiceServer.join', { passphrase: 'not the passphrase 123', workstationLabel: 'Front desk 1' }));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).not.toMatch(/not the passphrase|Qwert/);
    expect(readLink(a.services.session.require().db)).toBeNull();
    expect(server.psql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'practice_%';", server.database).trim()).toBe('0'); // nothing was written
    expect((await auditOf(a, 'practice_server.join'))[0]).toMatchObject({ outcome: 'refused', detail: { code: 'WRONG_PASSPHRASE' } });
  });

  it('the first workstation makes the practice key, the second opens it; each keeps it with its own id and label (audited)', async () => {
    const sa = await a.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk 1' });
    expect(sa.link).toMatchObject({ state: 'online', workstationLabel: 'Front desk 1', conflicts: 0 });
    // A name another workstation already has (case and spaces aside) is refused: staff tell workstations apart by it.
    expect((await refusal(b.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: ' front DESK 1 ' }))).code).toBe('PRACTICE_WORKSTATION_NAME_TAKEN');
    expect((await b.call('practiceServer.status', {})).link.state).toBe('not_joined');
    const sb = await b.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk 2' });
    expect(sb.link).toMatchObject({ state: 'online', workstationLabel: 'Front desk 2' });
    const [ja] = await auditOf(a, 'practice_server.join');
    const [jb] = await auditOf(b, 'practice_server.join');
    expect(ja).toMatchObject({ outcome: 'success', detail: { created: true } });
    expect(jb).toMatchObject({ outcome: 'success', detail: { created: false, keyId: ja!.detail.keyId } });
    expect(JSON.stringify([ja, jb])).not.toContain(PASSPHRASE);
    const la = readLink(a.services.session.require().db)!;
    const lb = readLink(b.services.session.require().db)!;
    expect(la.workstationId).not.toBe(lb.workstationId);
    expect(la.dataKey!.equals(lb.dataKey!)).toBe(true);
  });

  it('a request created on A appears on B after sync, with the same status and due date', async () => {
    const made = await create(a, 0);
    await a.call('requests.setStatus', { requestId: made.id, status: 'verifying' });
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 1, pulled: 0, conflicts: 0 });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 1, conflicts: 0 });
    const onA = await a.call('requests.get', { id: made.id });
    const onB = await b.call('requests.get', { id: made.id });
    expect(onB).toMatchObject({ status: 'verifying', dueDate: onA.dueDate, reference: onA.reference, patient: P[0] });
    expect(onA.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // nothing changed since: a second pass does nothing
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
    expect((await b.call('practiceServer.status', {})).link.lastSyncAt).not.toBeNull();
  });

  it('A offline keeps working and loses nothing; when the server is back A is synchronised and B sees the changes', async () => {
    await cable.cut();
    try {
      await create(a, 1);
      await create(a, 2);
      await a.call('requests.setStatus', { requestId: ids[2]!, status: 'verifying' });
      await a.call('requests.withdraw', { requestId: ids[0]!, note: 'Requester called to withdraw' });
      const failed = await refusal(a.call('practiceServer.sync', {}));
      expect(['PRACTICE_SERVER_UNREACHABLE', 'PRACTICE_DB_UNAVAILABLE', 'PRACTICE_SERVER_TIMEOUT']).toContain(failed.code);
      expect((await a.call('practiceServer.status', {})).link.state).toBe('offline');
      expect((await a.call('requests.list', {})).map((r) => r.id)).toEqual(expect.arrayContaining([ids[0], ids[1], ids[2]]));
      expect(await a.services.practiceLink.tick()).toBeNull(); // the background pass logs the code and throws nothing
    } finally {
      await cable.restore();
    }
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 3, pulled: 0, conflicts: 0 });
    expect((await a.call('practiceServer.status', {})).link.state).toBe('online');
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pulled: 3, conflicts: 0 });
    expect((await b.call('requests.get', { id: ids[0]! })).status).toBe('withdrawn');
    expect((await b.call('requests.get', { id: ids[0]! })).closingReason).toBe('Requester called to withdraw');
    expect((await b.call('requests.get', { id: ids[2]! })).status).toBe('verifying');
    expect((await b.call('requests.get', { id: ids[1]! })).patient).toEqual(P[1]);
  });

  it('the same request changed on both sides while A was offline becomes one conflict on A, shown, nothing merged; keeping A’s version makes it the server’s and B’s', async () => {
    const id = ids[1]!;
    await cable.cut();
    try {
      await a.call('requests.setStatus', { requestId: id, status: 'verifying' });
      await a.call('requests.amend', { requestId: id, reason: 'Patient added imaging by phone', scope: { categories: ['visit_notes', 'imaging_reports'], from: '2025-01-01', to: '2025-12-31' } });
    } finally {
      await cable.restore();
    }
    await b.call('requests.withdraw', { requestId: id, note: 'Duplicate of an earlier request' });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pushed: 1, conflicts: 0 });
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 1 });
    expect((await a.call('requests.get', { id })).status).toBe('verifying'); // A's own version untouched
    expect((await a.call('practiceServer.status', {})).link.conflicts).toBe(1);
    const [c] = await a.call('practiceServer.conflicts', {});
    expect(c).toMatchObject({ requestId: id, patientName: P[1]!.name });
    expect(c!.fields).toEqual(
      expect.arrayContaining([
        { label: 'Status', workstation: 'Verifying identity', server: 'Withdrawn' },
        { label: 'Closing reason', workstation: '', server: 'Duplicate of an earlier request' },
      ]),
    );
    // In staff's words: category names and dates as on every other screen, never codes or ISO strings.
    const asked = c!.fields.find((f) => f.label === 'Records asked for');
    expect(asked?.workstation).toMatch(/^Visit notes, .*Imaging.* · Jan 1, 2025 to Dec 31, 2025$/i);
    for (const f of c!.fields) expect(`${f.workstation} ${f.server}`).not.toMatch(/_|\d{4}-\d{2}-\d{2}/);
    // further syncs leave the conflicted request alone
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });

    expect(await a.call('practiceServer.resolveConflict', { conflictId: c!.id, keep: 'workstation' })).toEqual([]);
    const [ev] = await auditOf(a, 'practice_server.resolve_conflict');
    expect(ev).toMatchObject({ outcome: 'success', actor: 'Qwert Frontdesk', subjectId: id, detail: { keep: 'workstation', conflict: c!.id } });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pulled: 1, conflicts: 0 });
    expect((await b.call('requests.get', { id })).status).toBe('verifying');
    expect((await a.call('requests.get', { id })).status).toBe('verifying');
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
    expect((await a.call('practiceServer.status', {})).link.conflicts).toBe(0);
  });

  it('keeping the practice server’s version replaces this workstation’s; both versions stay recorded', async () => {
    const id = ids[2]!;
    await cable.cut();
    try {
      await a.call('requests.withdraw', { requestId: id, note: 'Changed on A' });
    } finally {
      await cable.restore();
    }
    await b.call('requests.deny', { requestId: id, reason: 'Changed on B: not a designated record set' });
    await b.call('practiceServer.sync', {});
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ conflicts: 1 });
    const [c] = await a.call('practiceServer.conflicts', {});
    expect(c!.fields).toEqual(expect.arrayContaining([{ label: 'Status', workstation: 'Withdrawn', server: 'Denied' }]));
    expect((await refusal(a.call('practiceServer.resolveConflict', { conflictId: 'no-such-conflict', keep: 'server' }))).code).toBe('NOT_FOUND');
    expect(await a.call('practiceServer.resolveConflict', { conflictId: c!.id, keep: 'server' })).toEqual([]);
    expect((await a.call('requests.get', { id })).status).toBe('denied');
    expect((await a.call('requests.get', { id })).closingReason).toMatch(/^Changed on B/);
    expect((await auditOf(a, 'practice_server.resolve_conflict'))[0]).toMatchObject({ outcome: 'success', detail: { keep: 'server' } });
    expect(await b.call('practiceServer.sync', {})).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
    expect((await b.call('requests.get', { id })).status).toBe('denied');
    const kept = a.services.session.require().db.prepare('SELECT resolution, resolved_by, local_json FROM practice_sync_conflicts ORDER BY detected_at').all() as Array<{ resolution: string; resolved_by: string; local_json: string }>;
    expect(kept.map((k) => k.resolution)).toEqual(['workstation', 'server']);
    expect(kept[1]!.local_json).toContain('Changed on A');
    expect(kept[1]!.resolved_by).toBe(a.services.session.currentUser()!.id);
  });

  it('a decision made after the server changed again is refused (PRACTICE_SYNC_CONFLICT_STALE, nothing written) and the newer version is shown instead', async () => {
    const made = await create(a, 3);
    await a.call('practiceServer.sync', {});
    await b.call('practiceServer.sync', {});
    await cable.cut();
    try {
      await a.call('requests.withdraw', { requestId: made.id, note: 'Withdrawn on A' });
    } finally {
      await cable.restore();
    }
    await b.call('requests.setStatus', { requestId: made.id, status: 'verifying' });
    await b.call('practiceServer.sync', {});
    expect(await a.call('practiceServer.sync', {})).toMatchObject({ conflicts: 1 });
    const [first] = await a.call('practiceServer.conflicts', {});
    await b.call('requests.deny', { requestId: made.id, reason: 'Denied on B after review' });
    await b.call('practiceServer.sync', {});
    const stale = await refusal(a.call('practiceServer.resolveConflict', { conflictId: first!.id, keep: 'workstation' }));
    expect(stale.code).toBe('PRACTICE_SYNC_CONFLICT_STALE');
    expect(stale.message).not.toMatch(new RegExp(P[3]!.name));
    const [second] = await a.call('practiceServer.conflicts', {});
    expect(second!.id).not.toBe(first!.id);
    expect(second!.fields).toEqual(expect.arrayContaining([{ label: 'Status', workstation: 'Withdrawn', server: 'Denied' }]));
    expect((await b.call('requests.get', { id: made.id })).status).toBe('denied'); // nothing was written over B's version
    expect((await auditOf(a, 'practice_server.resolve_conflict'))[0]).toMatchObject({ outcome: 'refused', detail: { code: 'PRACTICE_SYNC_CONFLICT_STALE' } });
    await a.call('practiceServer.resolveConflict', { conflictId: second!.id, keep: 'server' });
    expect((await a.call('requests.get', { id: made.id })).status).toBe('denied');
    const rows = a.services.session.require().db.prepare('SELECT resolution FROM practice_sync_conflicts WHERE request_id = ? ORDER BY detected_at, rowid').all(made.id);
    expect(rows).toEqual([{ resolution: 'superseded' }, { resolution: 'server' }]);
  });

  it('joined workstations number requests practice-wide; a request numbered before joining that clashes arrives under a marked local name, audited with both', async () => {
    const onA = await create(a, 4);
    const onB = await create(b, 3);
    expect(onA.reference).not.toBe(onB.reference); // the practice server numbers both
    // A request B numbered on its own before it joined, under the number A's request has now.
    const vb = b.services.session.require();
    const legacy = vb.tx(() => insertRequest(vb.db, RequestIntake.parse(intake({ patient: P[3]!, basis: 'right_of_access', requester: { role: 'patient', name: P[3]!.name } })), b.clock.now(), { reference: { reference: onA.reference, issuedBy: 'server' } }));
    expect(legacy.reference).toBe(onA.reference);
    await a.call('practiceServer.sync', {});
    await b.call('practiceServer.sync', {});
    await a.call('practiceServer.sync', {});
    const refsOnA = (await a.call('requests.list', {})).filter((r) => r.id === onA.id || r.id === legacy.id).map((r) => r.reference);
    expect(refsOnA).toEqual(expect.arrayContaining([onA.reference, `${onA.reference}-${legacy.id.slice(0, 4).toUpperCase()}`]));
    expect((await a.call('requests.get', { id: onA.id })).reference).toBe(onA.reference); // what A printed keeps its number
    expect((await auditOf(a, 'practice_sync.reference_clash'))[0]).toMatchObject({ subjectId: legacy.id, detail: { reference: onA.reference, shownAs: `${onA.reference}-${legacy.id.slice(0, 4).toUpperCase()}` } });
    // B: its own request's number was refused practice-wide (audited), and A's request is shown there under a marked name.
    expect(await auditOf(b, 'practice_sync.reference_clash')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subjectId: legacy.id, detail: { reference: onA.reference } }),
        expect.objectContaining({ subjectId: onA.id, detail: { reference: onA.reference, shownAs: `${onA.reference}-${onA.id.slice(0, 4).toUpperCase()}` } }),
      ]),
    );
    expect((await b.call('requests.get', { id: legacy.id })).reference).toBe(onA.reference);
    expect((await b.call('requests.get', { id: onA.id })).patient).toEqual(P[4]);
  });

  it('the shared chain holds both workstations’ events once each, in local order, and verifies; each local chain still verifies', async () => {
    await a.call('practiceServer.sync', {});
    await b.call('practiceServer.sync', {});
    await a.call('practiceServer.sync', {}); // again: nothing is appended twice
    const wa = a.services.practiceLink.workstation().id;
    const wb = b.services.practiceLink.workstation().id;
    const { verified, events } = await a.services.practiceLink.use(async (engine, keys) => ({ verified: await verifyPracticeAudit(engine, keys), events: await listPracticeAudit(engine, keys, { limit: 5000 }) }));
    expect(verified.intact).toBe(true);
    expect(verified.checked).toBe(events.length);
    for (const [w, backend] of [
      [wa, a],
      [wb, b],
    ] as const) {
      const seqs = events.filter((e) => e.detail?.workstation === w).map((e) => Number(e.detail!.localSeq));
      const mark = readLink(backend.services.session.require().db)!.lastPushedAuditSeq;
      expect(seqs.length).toBeGreaterThan(5);
      expect(seqs).toEqual(Array.from({ length: mark }, (_, i) => i + 1));
    }
    expect(events.some((e) => e.action === 'practice_server.resolve_conflict' && e.detail?.workstation === wa)).toBe(true);
    expect((await a.call('audit.verify', {})).intact).toBe(true);
    expect((await b.call('audit.verify', {})).intact).toBe(true);
  });

  it('the background service synchronises at sign-in and when the link comes back online, and stops cleanly', async () => {
    const last = () => readLink(b.services.session.require().db)!.lastSyncAt;
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
      return ok();
    };
    b.services.startPracticeSync();
    try {
      const before = last();
      b.clock.advance(1000);
      const admin = b.services.session.currentUser()!;
      b.services.session.lock();
      await b.call('vault.unlock', { username: admin.name, passphrase: PASSPHRASE });
      expect(await until(() => last() !== before)).toBe(true);
    } finally {
      await b.services.stopPracticeSync();
    }
    // back online: A's link was offline; the first successful use tells the listeners, and the background syncs
    a.services.startPracticeSync();
    try {
      await cable.cut();
      await refusal(a.call('practiceServer.sync', {}));
      expect(a.services.practiceLink.state()).toBe('offline');
      await cable.restore();
      const before = readLink(a.services.session.require().db)!.lastSyncAt;
      a.clock.advance(1000);
      await a.services.practiceLink.use(async (engine) => engine.one('SELECT 1 AS one'));
      expect(a.services.practiceLink.state()).toBe('online');
      expect(await until(() => readLink(a.services.session.require().db)!.lastSyncAt !== before)).toBe(true);
    } finally {
      await a.services.stopPracticeSync();
    }
  });

  it('pg_dump after synchronisation holds none of the synthetic patients’ names, dates of birth or MRNs', async () => {
    const dump = server.dump();
    expect(dump).toContain('practice_requests');
    const hits: string[] = [];
    for (const p of P.slice(0, 3)) {
      for (const [what, v] of [['name', p.name], ['family name', p.name.split(' ')[1]!], ['date of birth', p.dateOfBirth], ['MRN', p.mrn], ['MRN digits', p.mrn.slice(4)]] as const) {
        for (const form of new Set([v, v.toUpperCase(), v.toLowerCase()])) if (dump.includes(form)) hits.push(what);
      }
    }
    expect(hits).toEqual([]);
  });

  it('disconnecting makes the link local and erases the kept key (audited)', async () => {
    const st = await a.call('practiceServer.disconnect', {});
    expect(st.link).toMatchObject({ state: 'local', workstationLabel: 'Front desk 1' });
    const link = readLink(a.services.session.require().db)!;
    expect(link.dataKey).toBeNull();
    expect(link.keyId).toBeNull();
    expect((await auditOf(a, 'practice_server.disconnect'))[0]).toMatchObject({ outcome: 'success' });
    expect((await refusal(a.call('practiceServer.sync', {}))).code).toBe('PRACTICE_SERVER_NOT_SET');
  });
});
