/**
 * Migration 0003 (request synchronisation) on both engines: requests stored before it get version 1 and no full
 * record; a full record is sealed (no patient detail in clear) and opens again; a change is written only against the
 * version it was made on (optimistic concurrency); each workstation's chain mark only moves forward.
 */
import { describe, expect, it } from 'vitest';
import type { RequestStatus } from '../../../src/shared/compliance';
import { setUpPracticeKey } from '../../../src/main/services/practice/keys-repo';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { createPracticeRequest } from '../../../src/main/services/practice/requests-repo';
import {
  getServerRecord,
  insertServerRecord,
  practiceRequestVersions,
  setWorkstationAuditMark,
  updateServerRecord,
  upsertWorkstation,
  workstationAuditMark,
} from '../../../src/main/services/practice/sync-repo';
import { recordOfRow } from '../../../src/main/services/practice/sync-record';
import { engines } from '../../support/practice-engines';
import { useEngineHarness } from '../../support/practice-suite';

const AT = '2026-03-10T15:00:00.000Z';
const WS = 'a'.repeat(32);

function record(id: string, status: RequestStatus = 'received') {
  return recordOfRow({
    id,
    reference: 'Q-2026-00007',
    patient_name: 'Zyxwv Testpatient',
    patient_dob: '1961-07-14',
    patient_mrn: 'MRN-58213-QX',
    basis: 'right_of_access',
    received_at: AT,
    status,
    request_json: JSON.stringify({
      id,
      basis: 'right_of_access',
      receivedAt: AT,
      requester: { role: 'patient', name: 'Zyxwv Testpatient' },
      recipients: [{ name: 'Zyxwv Testpatient', destination: 'zyxwv.testpatient@example.test' }],
      scope: { categories: ['visit_notes'] },
      form: { format: 'pdf', electronic: true },
      status,
    }),
    closing_reason: null,
    created_at: AT,
    updated_at: AT,
  });
}

describe.each(engines())('migration 0003 request-sync on $name', (h) => {
  const fresh = useEngineHarness(h);

  it('gives requests stored before it version 1 and no full record (they are not synchronised rows)', async () => {
    const db = await fresh({ migrate: false });
    expect(await migratePractice(db, 2)).toBe(2);
    const keys = await setUpPracticeKey(db, { id: 'admin', passphrase: 'orbit lantern cactus velvet harbor 42' }, AT);
    const old = await createPracticeRequest(db, keys, { receivedOn: '2026-03-10', dueOn: '2026-04-09', at: AT, phi: { patientName: 'Zyxwv Testpatient', dateOfBirth: '1961-07-14', mrn: null, requesterName: null, requesterEmail: null, description: '' } });
    expect(await migratePractice(db, 3)).toBe(3);
    expect(await db.one('SELECT version, record_sealed FROM practice_requests WHERE id = $1', [old.id])).toEqual({ version: 1, record_sealed: null });
    expect(await practiceRequestVersions(db)).toEqual(new Map());
    expect(await getServerRecord(db, keys, old.id)).toBeUndefined();
  });

  it('seals the full record, opens it again, and writes a change only against the version it was made on', async () => {
    const db = await fresh();
    const keys = await setUpPracticeKey(db, { id: 'admin', passphrase: 'orbit lantern cactus velvet harbor 42' }, AT);
    const meta = { status: 'received' as const, receivedOn: '2026-03-10', dueOn: '2026-04-09' };
    expect(await insertServerRecord(db, keys, record('req_1'), meta, WS, AT)).toBe(true);
    expect(await insertServerRecord(db, keys, record('req_1'), meta, WS, AT)).toBe(false);
    const raw = await db.one<{ record_sealed: Buffer; sealed: Buffer }>('SELECT record_sealed, sealed FROM practice_requests WHERE id = $1', ['req_1']);
    for (const b of [raw!.record_sealed, raw!.sealed]) expect(Buffer.from(b).toString('latin1')).not.toMatch(/Zyxwv|1961-07-14|58213/);
    expect(await getServerRecord(db, keys, 'req_1')).toMatchObject({ version: 1, status: 'received', dueOn: '2026-04-09', changedBy: WS, record: { patient: { name: 'Zyxwv Testpatient' } } });
    expect(await updateServerRecord(db, keys, record('req_1', 'verifying'), { ...meta, status: 'verifying' }, 1, 'b'.repeat(32), AT)).toBe(2);
    expect(await updateServerRecord(db, keys, record('req_1', 'withdrawn'), { ...meta, status: 'withdrawn' }, 1, WS, AT)).toBeNull();
    expect(await getServerRecord(db, keys, 'req_1')).toMatchObject({ version: 2, status: 'verifying', changedBy: 'b'.repeat(32), record: { status: 'verifying' } });
    expect(await practiceRequestVersions(db)).toEqual(new Map([['req_1', 2]]));
  });

  it('moves a workstation’s chain mark only forward', async () => {
    const db = await fresh();
    await upsertWorkstation(db, { id: WS, label: 'Front desk 1' }, AT);
    expect(await workstationAuditMark(db, WS)).toBe(0);
    await setWorkstationAuditMark(db, WS, 7, AT);
    await setWorkstationAuditMark(db, WS, 3, AT);
    expect(await workstationAuditMark(db, WS)).toBe(7);
    await upsertWorkstation(db, { id: WS, label: 'Front desk 1 (renamed)' }, AT);
    expect(await workstationAuditMark(db, WS)).toBe(7);
  });
});
