/**
 * Migration 0005 (practice staff directory) on both engines: an account's entry keeps role and disabled flag in clear
 * and its name and TOTP secret sealed (no clear text in the row), each change bumps its version, a change without a
 * key pair for an unknown account is skipped; key boxes open only with the holder's private key; a rotation boxes a
 * new key to every active account and workstation, deletes the disabled accounts' boxes and re-seals staff records
 * and requests under the new key, while values sealed before it still open with the old key kept as `earlier`.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { setUpPracticeKey, storeNewPracticeKey } from '../../../src/main/services/practice/keys-repo';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { createPracticeRequest } from '../../../src/main/services/practice/requests-repo';
import { disabledHoldersOf, holdersWithoutBox } from '../../../src/main/services/practice/rotation-repo';
import { open, practiceKeyId, practiceKeys, type PracticeKeys } from '../../../src/main/services/practice/sealing';
import { boxDataKey, keysOfBoxPayload, newStaffKeyPair, openKeyBox, wrapPrivateKey } from '../../../src/main/services/practice/staff-keys';
import { currentKeyId, getKeyBox, getStaffEntry, putKeyBox, putStaffEntry, recordStaffSignin, listStaffSignins } from '../../../src/main/services/practice/staff-repo';
import { resealUnder, rotatePracticeKey } from '../../../src/main/services/practice/staff-rotation';
import { setWorkstationPublicKey } from '../../../src/main/services/practice/staff-repo';
import { upsertWorkstation } from '../../../src/main/services/practice/sync-repo';
import { engines } from '../../support/practice-engines';
import { useEngineHarness } from '../../support/practice-suite';

const AT = '2026-03-10T15:00:00.000Z';
const PASS = 'orbit lantern cactus velvet harbor 42';
const record = (name: string, mfaSecret: string | null = null) => ({ name, mfaSecret, mfaEnrolledAt: mfaSecret ? AT : null, createdAt: AT });

describe.each(engines())('migration 0005 staff-directory on $name', (h) => {
  const fresh = useEngineHarness(h);

  it('stores an entry with its name and TOTP secret sealed, bumps the version per change, skips a change for an unknown account', async () => {
    const db = await fresh({ migrate: false });
    expect(await migratePractice(db, 4)).toBe(4);
    expect(await migratePractice(db)).toBeGreaterThanOrEqual(5);
    const keys = await setUpPracticeKey(db, { id: 'admin', passphrase: PASS }, AT);
    const pair = newStaffKeyPair();
    const wrap = await wrapPrivateKey(pair.privateKey, 'u1', PASS);
    const change = { userId: 'u1', role: 'front_desk' as const, disabled: false, record: record('Mira Practicewide', 'JBSWY3DPEHPK3PXP'), keys: { publicKey: pair.publicKey, privateKeyWrap: wrap } };
    expect(await putStaffEntry(db, keys, change, 'ws-1', AT)).toBe(1);
    expect(await putStaffEntry(db, keys, { ...change, role: 'privacy_officer', keys: undefined }, 'ws-1', AT)).toBe(2);
    expect(await putStaffEntry(db, keys, { ...change, userId: 'nobody', keys: undefined }, 'ws-1', AT)).toBeNull();
    const raw = await db.one<{ record_sealed: Buffer; role: string }>('SELECT record_sealed, role FROM practice_staff WHERE user_id = $1', ['u1']);
    expect(raw!.role).toBe('privacy_officer');
    expect(Buffer.from(raw!.record_sealed).toString('latin1')).not.toMatch(/Mira|JBSWY3DP/);
    expect(await getStaffEntry(db, keys, 'u1')).toMatchObject({ version: 2, role: 'privacy_officer', disabled: false, record: { name: 'Mira Practicewide', mfaSecret: 'JBSWY3DPEHPK3PXP' } });
    await recordStaffSignin(db, 'u1', 'ws-1', AT);
    await recordStaffSignin(db, 'u1', 'ws-1', '2026-03-11T15:00:00.000Z');
    expect(await listStaffSignins(db)).toEqual([{ userId: 'u1', workstationId: 'ws-1', label: 'Another workstation', firstAt: AT, lastAt: '2026-03-11T15:00:00.000Z' }]);
  });

  it('a box opens only with its holder’s private key; a moved or changed box is refused', async () => {
    const dataKey = randomBytes(32);
    const holder = newStaffKeyPair();
    const box = boxDataKey(dataKey, holder.publicKey, { kind: 'user', id: 'u1' });
    expect(openKeyBox(box, holder.privateKey).equals(dataKey)).toBe(true);
    expect(() => openKeyBox(box, newStaffKeyPair().privateKey)).toThrow(expect.objectContaining({ code: 'PRACTICE_KEY_WRONG' }));
    expect(() => openKeyBox({ ...box, holderId: 'u2' }, holder.privateKey)).toThrow(expect.objectContaining({ code: 'PRACTICE_KEY_WRONG' }));
    const flipped = Buffer.from(box.ciphertext);
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openKeyBox({ ...box, ciphertext: flipped }, holder.privateKey)).toThrow(expect.objectContaining({ code: 'PRACTICE_KEY_WRONG' }));
  });

  it('a rotation boxes the new key to active holders only, deletes the disabled account’s boxes and re-seals; old values open with the kept key', async () => {
    const db = await fresh();
    const rootKey = randomBytes(32);
    await storeNewPracticeKey(db, rootKey, { id: 'admin', passphrase: PASS }, AT);
    const keys = practiceKeys(rootKey);
    const people = { stay: newStaffKeyPair(), leave: newStaffKeyPair() };
    for (const [id, pair] of Object.entries(people)) {
      await putStaffEntry(db, keys, { userId: id, role: 'front_desk', disabled: false, record: record(`Name ${id}`), keys: { publicKey: pair.publicKey, privateKeyWrap: await wrapPrivateKey(pair.privateKey, id, PASS) } }, 'ws-1', AT);
      await putKeyBox(db, boxDataKey(rootKey, pair.publicKey, { kind: 'user', id }), AT);
    }
    const ws = newStaffKeyPair();
    await upsertWorkstation(db, { id: 'ws-1', label: 'Front desk 1' }, AT);
    await setWorkstationPublicKey(db, 'ws-1', ws.publicKey);
    expect((await holdersWithoutBox(db, keys.keyId)).map((x) => x.id)).toEqual(['ws-1']);
    const req = await createPracticeRequest(db, keys, { receivedOn: '2026-03-10', dueOn: '2026-04-09', at: AT, phi: { patientName: 'Zyxwv Testpatient', dateOfBirth: '1961-07-14', mrn: 'MRN-58213-QX', requesterName: null, requesterEmail: null, description: '' } });

    await putStaffEntry(db, keys, { userId: 'leave', role: 'front_desk', disabled: true, record: record('Name leave') }, 'ws-1', AT);
    expect(await disabledHoldersOf(db, keys.keyId)).toBe(1);
    const r = await rotatePracticeKey(db, { keyId: keys.keyId, root: null, dataKey: rootKey }, 'admin', '2026-03-11T00:00:00.000Z');
    expect(r).toMatchObject({ holders: 2, removedBoxes: 1 });
    expect(await currentKeyId(db)).toBe(r.keyId);
    expect(await getKeyBox(db, r.keyId, { kind: 'user', id: 'leave' })).toBeUndefined();
    expect(await getKeyBox(db, keys.keyId, { kind: 'user', id: 'leave' })).toBeUndefined();
    // The one who stays opens the new key (and the root key rides along: blind indexes and the chain stay the same).
    const payload = openKeyBox((await getKeyBox(db, r.keyId, { kind: 'user', id: 'stay' }))!, people.stay.privateKey);
    const next: PracticeKeys = { ...keysOfBoxPayload(payload), earlier: [keys] };
    expect(next.keyId).toBe(practiceKeyId(r.dataKey));
    expect(next.indexKeys.mrn.equals(keys.indexKeys.mrn)).toBe(true);
    expect(next.chainKey.equals(keys.chainKey)).toBe(true);
    // A second rotation from the old key is refused (someone rotated first).
    await expect(rotatePracticeKey(db, { keyId: keys.keyId, root: null, dataKey: rootKey }, 'admin', AT)).rejects.toMatchObject({ code: 'PRACTICE_DB_CONFLICT' });

    expect(await resealUnder(db, next, '2026-03-11T00:00:01.000Z')).toEqual({ staff: 2, requests: 1, records: 0, chunks: 0, skipped: 0 });
    const row = await db.one<{ sealed: Buffer }>('SELECT sealed FROM practice_requests WHERE id = $1', [req.id]);
    const place = { table: 'practice_requests', column: 'sealed', rowId: req.id };
    expect(() => open(keys, place, Buffer.from(row!.sealed))).toThrow(expect.objectContaining({ code: 'PRACTICE_KEY_WRONG' }));
    expect(open(next, place, Buffer.from(row!.sealed)).toString('utf8')).toContain('Zyxwv Testpatient');
    expect(Number((await db.one<{ c: number }>('SELECT count(*) AS c FROM practice_data_keys WHERE resealed_at IS NOT NULL'))!.c)).toBe(1);
    expect(await resealUnder(db, next, AT)).toEqual({ staff: 0, requests: 0, records: 0, chunks: 0, skipped: 0 });
  });
});
