import { describe, expect, it } from 'vitest';
import { passphraseStrength } from '../../../src/main/services/setup/passphrase';

describe('passphrase strength (the key to every record at rest)', () => {
  it('accepts four unrelated words and refuses short or common passwords', () => {
    expect(passphraseStrength('orbit lantern cactus velvet harbor').acceptable).toBe(true);
    expect(passphraseStrength('password').acceptable).toBe(false);
    expect(passphraseStrength('Summer2026!').acceptable).toBe(false);
  });

  it('refuses famous passphrases whatever their length', () => {
    const r = passphraseStrength('Correct Horse Battery Staple');
    expect(r).toMatchObject({ acceptable: false, score: 0 });
    expect(r.warning).toMatch(/well-known/);
  });

  it('refuses a passphrase built from the practice or staff name (hints split into words)', () => {
    const hints = ['Jordan Frontdesk', 'Zzyzx Synthetic Family Clinic', 'records@zzyzx.example.test'];
    expect(passphraseStrength('Zzyzx Synthetic Family Clinic 2026', hints).acceptable).toBe(false);
    expect(passphraseStrength('zzyzx clinic jordan 2026', hints).acceptable).toBe(false);
    // The name may appear if enough unrelated words carry the strength.
    expect(passphraseStrength('zzyzx orbit lantern cactus velvet', hints).acceptable).toBe(true);
  });
});
