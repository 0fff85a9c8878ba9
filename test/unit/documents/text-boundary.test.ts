/**
 * Text at the IPC boundary: a lone UTF-16 surrogate is refused in any field of any channel (audited with the field
 * path, never the value); a name typed decomposed (NFD) is stored composed (NFC). Real dispatch, real vault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loneSurrogatePaths } from '../../../src/main/rpc/dispatch';
import { intake, PATIENT, startBackend, type Backend } from '../../support/backend';

describe('text at the boundary', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend();
  }, 60_000);
  afterAll(async () => b?.close());

  it('a patient name with a lone surrogate is refused, audited by field path, and nothing is stored', async () => {
    const before = (await b.call('requests.list', {})).length;
    await expect(b.call('requests.create', intake({ patient: { ...PATIENT, name: 'Zyxwv \uD800Testpatient' } }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('patient.name'),
    });
    expect((await b.call('requests.list', {})).length).toBe(before);
    const [ev] = await b.call('audit.events', { limit: 1 });
    expect(ev).toMatchObject({ action: 'rpc.input_refused', detail: { fields: 'patient.name' } });
    expect(JSON.stringify(ev)).not.toContain('Zyxwv');
  });

  it('a lone surrogate is refused even where the field is free-form (a PDF password)', async () => {
    await expect(b.call('documents.unlockPdf', { releaseId: 'rel_000000', passwordRequestId: 'pwr_000000', password: 'abc\uDC00' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('password'),
    });
    expect(loneSurrogatePaths({ a: ['ok 😀', 'x\uD83D'], b: { c: '\uDE00y' } })).toEqual(['a.1', 'b.c']);
    expect(loneSurrogatePaths({ name: 'Nguyễn 𠮷 😀' })).toEqual([]);
  });

  it('a name typed decomposed (NFD) is stored composed (NFC)', async () => {
    const nfd = 'Nguyễn Văn Đức'.normalize('NFD');
    expect(nfd).not.toBe(nfd.normalize('NFC'));
    const req = await b.call('requests.create', intake({ patient: { ...PATIENT, name: nfd } }));
    const stored = await b.call('requests.get', { id: req.id });
    expect(stored.patient.name).toBe('Nguyễn Văn Đức'.normalize('NFC'));
  });
});
