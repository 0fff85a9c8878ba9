/**
 * Practice-wide staff accounts across two joined workstations (two vaults, two service stacks, one REAL PostgreSQL with
 * TLS required): an account added on A (with its TOTP) signs in on B, where it never existed, and B makes its local
 * account and wrap (audited as a first sign-in there); a role change on A applies on B after sync; a wrong passphrase,
 * a disabled account and an unreachable server are refused with coded, PHI-free errors, the vault intact and the
 * failed sign-in audited; a change made on A while the server is away waits in A's vault and is pushed at the next
 * sync; a passphrase changed on A replaces the old one on B; the server holds no staff name in clear.
 *
 * Each workstation reaches the server through its own TCP relay, which the test can cut (a real network outage).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelInput } from '../../../src/shared/contract';
import { totpCode } from '../../../src/main/services/accounts/totp';
import { readLink } from '../../../src/main/services/practice/link-vault-repo';
import { open, practiceKeys } from '../../../src/main/services/practice/sealing';
import { earlierLinkKeys } from '../../../src/main/services/practice/staff-vault-repo';
import { unwrapPrivateKey, PrivateKeyWrap } from '../../../src/main/services/practice/staff-keys';
import { file, intake, PASSPHRASE, recordPdf, signInAs, startBackend, type Backend } from '../../support/backend';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { tcpRelay, type TcpRelay } from '../../support/tcp-relay';

const have = requirePostgres();
const ADMIN = 'Qwert Frontdesk';
const MIRA = { name: 'Mira Practicewide', pass: 'saffron lattice meadow porcupine 71' };
const OLEK = { name: 'Olek Neverhere', pass: 'granite mustard voyage pelican 38' };
const PAVLA = { name: 'Pavla Offlineadd', pass: 'thimble quasar orchard lagoon 52' };
/** Pavla's passphrase after she changes it on A. */
const PAVLA_NEXT = 'walnut cobalt hamster sonnet 64';
const PATIENT = { name: 'Zyxwv Testpatient', dateOfBirth: '1961-07-14', mrn: 'MRN-58213-QX' };

describe.skipIf(!have)('practice-wide staff accounts on two joined workstations (real PostgreSQL)', () => {
  let server: RunningPostgres;
  let a: Backend;
  let b: Backend;
  let cableA: TcpRelay;
  let cableB: TcpRelay;
  let miraId = '';
  let miraSecret = '';
  const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'NONE', message: '' }), (e: { code: string; message: string }) => e);
  // The privacy officer's view, read through the service (the signed-in person may be front desk, who may not read the audit log).
  const auditOf = async (w: Backend, action: string) => w.services.audit.events(500).filter((e) => e.action === action);
  const asAdmin = (w: Backend) => signInAs(w, ADMIN, PASSPHRASE);
  const sync = async (w: Backend) => {
    await asAdmin(w);
    return w.call('practiceServer.sync', {});
  };
  const keyFile = (w: Backend) => createHash('sha256').update(readFileSync(join(w.dataDir, 'vault.kdf.json'))).digest('hex');
  const code = (w: Backend, secret: string) => totpCode(secret, w.services.session.clock.now());

  beforeAll(async () => {
    [server, a, b] = await Promise.all([startPostgres(), startBackend(), startBackend()]);
    [cableA, cableB] = await Promise.all([tcpRelay(server.port), tcpRelay(server.port)]);
    const settings = (port: number): ChannelInput<'practiceServer.configure'> => ({ host: server.host, port, database: server.database, user: server.user, password: server.password, caPem: server.caPem });
    await a.call('practiceServer.configure', settings(cableA.port));
    await b.call('practiceServer.configure', settings(cableB.port));
    await a.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk 1' });
    await b.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk 2' });
  }, 120_000);
  afterAll(async () => {
    await a?.services.practiceLink.close();
    await b?.services.practiceLink.close();
    await a?.close();
    await b?.close();
    await cableA?.close();
    await cableB?.close();
    await server?.stop();
  });

  it('an account added on A (with two-step sign-in) signs in on B, where it never existed; B makes its own wrap (audited)', async () => {
    const added = await a.call('accounts.add', { name: MIRA.name, role: 'front_desk', passphrase: MIRA.pass });
    miraId = added.id;
    expect((await auditOf(a, 'user.create')).find((e) => e.subjectId === miraId)?.detail).toMatchObject({ practiceWide: true });
    await signInAs(a, MIRA.name, MIRA.pass);
    miraSecret = (await a.call('accounts.startMfa', {})).secret;
    await a.call('accounts.confirmMfa', { code: code(a, miraSecret) });
    await asAdmin(a);
    const req = await a.call('requests.create', intake({ patient: PATIENT, basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name } }));
    // With an identity check and a record file, so the rotation below has synchronised records and file chunks to re-seal.
    await a.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await a.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    const release = await a.call('releases.create', { requestId: req.id });
    a.stage([file('Qwertyuiop Staffsync chart.pdf', await recordPdf('Visit', PATIENT.name))]);
    await a.call('documents.pick', { releaseId: release.id });
    await sync(a);
    await sync(b);

    b.services.session.lock();
    expect((await refusal(b.call('vault.unlock', { username: MIRA.name, passphrase: MIRA.pass }))).code).toBe('MFA_REQUIRED');
    await b.call('vault.unlock', { username: MIRA.name, passphrase: MIRA.pass, code: code(b, miraSecret) });
    expect(b.services.session.currentUser()).toEqual({ id: miraId, name: MIRA.name, role: 'front_desk' });
    const first = await auditOf(b, 'user.first_signin_here');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ outcome: 'success', subjectId: miraId });
    expect((await auditOf(b, 'vault.unlock')).at(0)?.detail).toMatchObject({ firstOnThisWorkstation: true });
    // From now on B's own keyring opens it (no directory needed): lock and sign in again.
    b.clock.advance(31_000);
    await signInAs(b, MIRA.name, MIRA.pass, code(b, miraSecret));
    expect(await auditOf(b, 'user.first_signin_here')).toHaveLength(1);

    // Settings → Staff on A shows where Mira has signed in, after both synchronised.
    await sync(b);
    await sync(a);
    const staff = await a.call('accounts.practiceStaff', {});
    const mira = staff.accounts.find((x) => x.userId === miraId)!;
    expect(mira.practiceWide).toBe(true);
    expect(mira.signedInOn.map((s) => s.workstation).sort()).toEqual(['Front desk 1', 'Front desk 2']);
  });

  it('a role change on A applies on B after both synchronised (audited on B)', async () => {
    await asAdmin(a);
    await a.call('accounts.setRole', { userId: miraId, role: 'privacy_officer' });
    await sync(a);
    await sync(b);
    expect((await b.call('accounts.list', {})).find((x) => x.id === miraId)?.role).toBe('privacy_officer');
    const applied = (await auditOf(b, 'practice_staff.apply')).find((e) => e.subjectId === miraId);
    expect(applied?.detail).toMatchObject({ from: 'front_desk', to: 'privacy_officer' });
    b.clock.advance(31_000);
    await signInAs(b, MIRA.name, MIRA.pass, code(b, miraSecret));
    expect(b.services.session.currentUser()?.role).toBe('privacy_officer');
  });

  it('a wrong passphrase for an account new to B is refused (coded, PHI-free), the keyring unchanged, the attempt audited at the next sign-in', async () => {
    await asAdmin(a);
    const olek = await a.call('accounts.add', { name: OLEK.name, role: 'front_desk', passphrase: OLEK.pass });
    await sync(a);
    await sync(b);
    b.services.session.lock();
    const before = keyFile(b);
    const wrong = await refusal(b.call('vault.unlock', { username: OLEK.name, passphrase: 'not his passphrase at all 99' }));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).not.toMatch(/Olek|not his passphrase/);
    expect(keyFile(b)).toBe(before);
    await asAdmin(b);
    expect((await b.call('accounts.list', {})).some((x) => x.id === olek.id)).toBe(false);
    const failed = (await auditOf(b, 'vault.unlock')).filter((e) => e.outcome === 'failure');
    expect(failed.some((e) => e.detail.accountId === olek.id && e.detail.code === 'WRONG_PASSPHRASE')).toBe(true);
  });

  it('with the server unreachable, a first sign-in on B is refused (coded), the keyring unchanged, the refusal audited in B', async () => {
    b.services.session.lock();
    const before = keyFile(b);
    await cableB.cut();
    try {
      const e = await refusal(b.call('vault.unlock', { username: OLEK.name, passphrase: OLEK.pass }));
      expect(['PRACTICE_SERVER_UNREACHABLE', 'PRACTICE_DB_UNAVAILABLE', 'PRACTICE_SERVER_TIMEOUT']).toContain(e.code);
      expect(e.message).not.toMatch(/Olek/);
      expect(b.services.session.state).toBe('locked');
      expect(keyFile(b)).toBe(before);
    } finally {
      await cableB.restore();
    }
    await asAdmin(b);
    const failed = (await auditOf(b, 'vault.unlock')).filter((x) => x.outcome === 'failure' && x.detail.firstOnThisWorkstation === true);
    expect(failed[0]?.detail.code).toMatch(/^PRACTICE_/);
  });

  it('an account disabled on A is refused on B at once, even before B synchronised (the server decides), and after sync its local wrap is gone', async () => {
    await asAdmin(a);
    const olek = (await a.call('accounts.list', {})).find((x) => x.name === OLEK.name)!;
    await a.call('accounts.deactivate', { userId: olek.id });
    await a.call('accounts.deactivate', { userId: miraId });
    await sync(a);
    b.services.session.lock();
    const before = keyFile(b);
    const e = await refusal(b.call('vault.unlock', { username: OLEK.name, passphrase: OLEK.pass }));
    expect(e.code).toBe('ACCOUNT_INACTIVE');
    expect(keyFile(b)).toBe(before);
    // Mira still has B's own wrap until B synchronises; after it, her passphrase no longer opens B.
    await sync(b);
    expect((await b.call('accounts.list', {})).find((x) => x.id === miraId)?.active).toBe(false);
    b.clock.advance(31_000);
    b.services.session.lock();
    expect((await refusal(b.call('vault.unlock', { username: MIRA.name, passphrase: MIRA.pass, code: code(b, miraSecret) }))).code).toBe('WRONG_PASSPHRASE');
    await asAdmin(b);
    const refusedHere = (await auditOf(b, 'vault.unlock')).filter((x) => x.outcome === 'failure' && x.detail.code === 'ACCOUNT_INACTIVE');
    expect(refusedHere[0]?.detail).toMatchObject({ accountId: olek.id, firstOnThisWorkstation: true });
  });

  it('an account added on A while the server is away waits in A and is pushed at the next sync; then it signs in on B', async () => {
    await asAdmin(a);
    await cableA.cut();
    const made: string[] = [];
    try {
      made.push((await a.call('accounts.add', { name: PAVLA.name, role: 'front_desk', passphrase: PAVLA.pass })).id);
      expect(['PRACTICE_SERVER_UNREACHABLE', 'PRACTICE_DB_UNAVAILABLE', 'PRACTICE_SERVER_TIMEOUT']).toContain((await refusal(a.call('practiceServer.sync', {}))).code);
    } finally {
      await cableA.restore();
    }
    const pavlaId = made[0]!;
    expect(server.psql(`SELECT count(*) FROM practice_staff WHERE user_id = '${pavlaId}';`, server.database).trim()).toBe('0');
    await sync(a);
    expect(server.psql(`SELECT count(*) FROM practice_staff WHERE user_id = '${pavlaId}';`, server.database).trim()).toBe('1');
    await sync(b);
    await signInAs(b, PAVLA.name, PAVLA.pass);
    expect(b.services.session.currentUser()?.id).toBe(pavlaId);
  });

  it('a passphrase changed on A replaces the old one on B after sync', async () => {
    const next = PAVLA_NEXT;
    await signInAs(a, PAVLA.name, PAVLA.pass);
    await a.call('accounts.changePassphrase', { current: { passphrase: PAVLA.pass }, next: { passphrase: next } });
    await sync(a);
    await sync(b);
    b.services.session.lock();
    expect((await refusal(b.call('vault.unlock', { username: PAVLA.name, passphrase: PAVLA.pass }))).code).toBe('WRONG_PASSPHRASE');
    await b.call('vault.unlock', { username: PAVLA.name, passphrase: next });
    expect(b.services.session.currentUser()?.name).toBe(PAVLA.name);
  });

  it('removing accounts rotated the practice key: both workstations hold the new key, rows are re-sealed, the removed person opens nothing', async () => {
    const q = (sql: string) => server.psql(sql, server.database).trim();
    const current = q('SELECT key_id FROM practice_data_keys WHERE retired_at IS NULL;');
    expect(q('SELECT count(*) FROM practice_data_keys;')).toBe('2');
    expect(q('SELECT count(*) FROM practice_data_keys WHERE retired_at IS NOT NULL AND resealed_at IS NOT NULL;')).toBe('1');
    await sync(a);
    await sync(b);
    expect(readLink(a.services.session.require().db)!.keyId).toBe(current);
    expect(readLink(b.services.session.require().db)!.keyId).toBe(current);
    const rotated = await auditOf(a, 'practice_staff.rotate_key');
    expect(rotated).toHaveLength(1);
    expect(rotated[0]!.detail).toMatchObject({ to: current });
    expect(rotated[0]!.detail.removedBoxes).toBeGreaterThanOrEqual(2);
    expect((await auditOf(b, 'practice_staff.adopt_key'))[0]?.detail).toMatchObject({ to: current });
    // Every request and staff record on the server is sealed under the new key (the key id is bytes 2..9 of a sealed value).
    expect(q("SELECT DISTINCT encode(substring(sealed from 2 for 8), 'hex') FROM practice_requests;")).toBe(current);
    expect(q("SELECT DISTINCT encode(substring(record_sealed from 2 for 8), 'hex') FROM practice_requests;")).toBe(current);
    expect(q('SELECT DISTINCT seal_key_id FROM practice_staff;')).toBe(current);
    // … and so is every synchronised record (identity check, draft release, document) and every record-file chunk.
    expect(Number(q('SELECT count(*) FROM practice_records;'))).toBeGreaterThanOrEqual(3);
    expect(q("SELECT DISTINCT encode(substring(record_sealed from 2 for 8), 'hex') || ' ' || key_id FROM practice_records;")).toBe(`${current} ${current}`);
    expect(Number(q('SELECT count(*) FROM practice_document_chunks;'))).toBeGreaterThanOrEqual(1);
    expect(q("SELECT DISTINCT encode(substring(sealed from 2 for 8), 'hex') FROM practice_document_chunks;")).toBe(current);
    expect(q('SELECT DISTINCT key_id FROM practice_documents;')).toBe(current);

    // Mira (removed): her passphrase still opens her own private key, but no box of any key is left for her …
    expect(q(`SELECT count(*) FROM practice_key_boxes WHERE holder_id = '${miraId}';`)).toBe('0');
    const wrap = PrivateKeyWrap.parse(JSON.parse(q(`SELECT private_key_wrap FROM practice_staff WHERE user_id = '${miraId}';`)));
    expect(await unwrapPrivateKey(wrap, miraId, MIRA.pass)).not.toBeNull();
    // … and a copy of the old key she may have kept opens nothing sealed now.
    const old = earlierLinkKeys(a.services.session.require().db).find((k) => k.keyId !== current)!;
    const oldKeys = practiceKeys(old.dataKey);
    const row = q(`SELECT encode(record_sealed, 'hex') FROM practice_staff WHERE user_id = '${miraId}';`);
    expect(() => open(oldKeys, { table: 'practice_staff', column: 'record_sealed', rowId: miraId }, Buffer.from(row, 'hex'))).toThrow(expect.objectContaining({ code: 'PRACTICE_KEY_WRONG' }));
    // B, after adopting, still works the request made before the rotation (blind indexes and chain unchanged).
    expect((await b.call('requests.list', {})).length).toBeGreaterThanOrEqual(1);
  });

  it('the server holds no staff name or TOTP secret in clear', () => {
    const dump = server.dump();
    for (const n of [MIRA.name, OLEK.name, PAVLA.name, ADMIN, miraSecret, PATIENT.name, PATIENT.mrn, 'Qwertyuiop Staffsync']) expect(dump).not.toContain(n);
  });

  it('a person signed in on B whose account is deactivated on A is locked out by B’s next sync, before it shares anything more', async () => {
    await asAdmin(a);
    const pavla = (await a.call('accounts.list', {})).find((x) => x.name === PAVLA.name)!;
    await signInAs(b, PAVLA.name, PAVLA_NEXT);
    await a.call('accounts.deactivate', { userId: pavla.id });
    await sync(a);
    // B's background pass (or Share now) runs under Pavla's session: it applies the deactivation, then stops and locks.
    expect((await refusal(b.call('practiceServer.sync', {}))).code).toBe('ACCOUNT_INACTIVE');
    expect(b.services.session.state).toBe('locked');
    expect((await refusal(b.call('requests.list', {}))).code).toBe('VAULT_LOCKED');
    await asAdmin(b);
    expect((await auditOf(b, 'vault.lock')).filter((e) => e.detail.reason === 'account_inactive')).toHaveLength(1);
    expect((await b.call('accounts.list', {})).find((x) => x.id === pavla.id)?.active).toBe(false);
  });

  it('one person set up on both workstations (same name and passphrase, two practice-wide accounts) is deactivated everywhere when deactivated on one', async () => {
    const q = (sql: string) => server.psql(sql, server.database).trim();
    const BOB = { name: 'Bob Secondadmin', pass: 'ember violet canyon marble 47' };
    await asAdmin(a);
    const adaA = a.services.session.currentUser()!.id;
    const adaB = (await (async () => (await asAdmin(b), b.services.session.currentUser()!.id))());
    expect(adaA).not.toBe(adaB);
    await a.call('accounts.add', { name: BOB.name, role: 'administrator', passphrase: BOB.pass });
    await signInAs(a, BOB.name, BOB.pass);
    await a.call('accounts.deactivate', { userId: adaA });
    await a.call('practiceServer.sync', {});
    // B's pass runs under its own administrator of the same name: the twin is deactivated, queued, and the session locks.
    await asAdmin(b);
    expect((await refusal(b.call('practiceServer.sync', {}))).code).toBe('ACCOUNT_INACTIVE');
    expect((await refusal(b.call('vault.unlock', { username: ADMIN, passphrase: PASSPHRASE }))).code).toMatch(/^(ACCOUNT_INACTIVE|WRONG_PASSPHRASE)$/);
    // Bob (practice-wide, made on A) signs in on B; B's next pass pushes the twin's deactivation to the server.
    await signInAs(b, BOB.name, BOB.pass);
    await b.call('practiceServer.sync', {});
    expect((await b.call('accounts.list', {})).find((x) => x.id === adaB)?.active).toBe(false);
    expect(q(`SELECT count(*) FROM practice_staff WHERE user_id IN ('${adaA}', '${adaB}') AND disabled = 1;`)).toBe('2');
    expect((await auditOf(b, 'practice_staff.apply')).find((e) => e.subjectId === adaB)?.detail).toMatchObject({ active: false, sameNameAs: adaA });
  });
});
