import { describe, expect, it } from 'vitest';
import { blindIndex, newPracticeDataKey, normaliseEmail, normaliseMrn, open, openJson, practiceKeyId, practiceKeys, seal, unwrapDataKey, wrapDataKey } from '../../../src/main/services/practice/sealing';
import { z } from 'zod';

const PLACE = { table: 'practice_requests', column: 'sealed', rowId: 'preq_1' };
const PHI = 'Zyxwv Testpatient, born 1961-04-23, MRN-58213-QX';

describe('practice sealing (AES-256-GCM with AAD, blind indexes, per-user key wraps)', () => {
  const keys = practiceKeys(newPracticeDataKey());

  it('a sealed value opens with the same keys and place, and its bytes hold no plaintext', () => {
    const sealed = seal(keys, PLACE, PHI);
    expect(sealed.length).toBe(Buffer.byteLength(PHI) + 37);
    expect(sealed.includes(Buffer.from('Zyxwv'))).toBe(false);
    expect(sealed.includes(Buffer.from('58213'))).toBe(false);
    expect(open(keys, PLACE, sealed).toString('utf8')).toBe(PHI);
    expect(seal(keys, PLACE, PHI).equals(sealed)).toBe(false); // fresh IV every time
  });

  it('a value sealed under another practice key is PRACTICE_KEY_WRONG, with a message that names the column only', () => {
    const other = practiceKeys(newPracticeDataKey());
    const err = (() => {
      try {
        open(other, PLACE, seal(keys, PLACE, PHI));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'PRACTICE_KEY_WRONG' });
    expect((err as Error).message).toContain('practice_requests.sealed');
    expect((err as Error).message).not.toContain('Zyxwv');
  });

  it('any changed byte (header, IV, tag or ciphertext) is PRACTICE_DATA_TAMPERED', () => {
    const sealed = seal(keys, PLACE, PHI);
    for (const at of [0, 9, 15, 21, 30, 37, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 0x01;
      const code = at >= 1 && at < 9 ? 'PRACTICE_KEY_WRONG' : 'PRACTICE_DATA_TAMPERED';
      expect(() => open(keys, PLACE, bad), `byte ${at}`).toThrow(expect.objectContaining({ code }));
    }
    expect(() => open(keys, PLACE, sealed.subarray(0, 20))).toThrow(expect.objectContaining({ code: 'PRACTICE_DATA_TAMPERED' }));
  });

  it('a value moved to another row or column does not open (the place is authenticated)', () => {
    const sealed = seal(keys, PLACE, PHI);
    expect(() => open(keys, { ...PLACE, rowId: 'preq_2' }, sealed)).toThrow(expect.objectContaining({ code: 'PRACTICE_DATA_TAMPERED' }));
    expect(() => open(keys, { ...PLACE, column: 'other' }, sealed)).toThrow(expect.objectContaining({ code: 'PRACTICE_DATA_TAMPERED' }));
  });

  it('openJson refuses a value of the wrong shape as PRACTICE_DATA_TAMPERED', () => {
    const sealed = seal(keys, PLACE, '{"a":1}');
    expect(() => openJson(keys, PLACE, sealed, z.object({ b: z.string() }))).toThrow(expect.objectContaining({ code: 'PRACTICE_DATA_TAMPERED' }));
  });

  it('blind indexes match the same MRN or email however it is typed, differ by field kind and by practice key', () => {
    expect(normaliseMrn(' mrn 58213-qx ')).toBe('MRN58213QX');
    expect(normaliseEmail('  Zyxwv.Testpatient@Example.TEST ')).toBe('zyxwv.testpatient@example.test');
    const a = blindIndex(keys, 'mrn', 'MRN-58213-QX');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(keys, 'mrn', 'mrn 58213 qx')).toBe(a);
    expect(blindIndex(keys, 'mrn', 'MRN-58213-QY')).not.toBe(a);
    expect(blindIndex(keys, 'email', 'MRN-58213-QX')).not.toBe(a);
    expect(blindIndex(practiceKeys(newPracticeDataKey()), 'mrn', 'MRN-58213-QX')).not.toBe(a);
    expect(blindIndex(keys, 'mrn', ' - ')).toBeNull();
  });

  it('derived keys are distinct and the key id is public (16 hex) and stable', () => {
    const dk = newPracticeDataKey();
    const k = practiceKeys(dk);
    expect(k.keyId).toBe(practiceKeyId(dk));
    expect(k.keyId).toMatch(/^[0-9a-f]{16}$/);
    const all = [k.sealKey, k.indexKeys.mrn, k.indexKeys.email, k.chainKey, k.checkpointKey, dk].map((b) => b.toString('hex'));
    expect(new Set(all).size).toBe(all.length);
  });

  it('a wrapped data key opens with the user’s passphrase only, and not when moved to another user', async () => {
    const dk = newPracticeDataKey();
    const wrap = await wrapDataKey(dk, 'usr_dana01', 'correct horse battery staple');
    expect(wrap.keyId).toBe(practiceKeyId(dk));
    expect(wrap.ciphertext.equals(dk)).toBe(false);
    expect((await unwrapDataKey(wrap, 'correct horse battery staple')).equals(dk)).toBe(true);
    await expect(unwrapDataKey(wrap, 'wrong horse')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await expect(unwrapDataKey({ ...wrap, userId: 'usr_mallory' }, 'correct horse battery staple')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });
});
