/**
 * Setup makes the practice's OpenPGP key at the practice clock's time, not at whatever the wall clock says after the
 * slow passphrase derivation: a key dated after "now" is unusable (openpgp.js refuses it), so a key made at the wall
 * clock's later second was refused by every call that read it while the clock had not caught up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../support/backend';

describe('the practice key made at setup', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend();
  });
  afterAll(async () => b?.close());

  it('is dated by the practice clock (to the second), so it is usable at once', async () => {
    const s = await b.call('settings.get', {});
    const clockSecond = Math.floor(b.clock.now().getTime() / 1000);
    expect(Math.floor(new Date(s.practiceKey.createdAt).getTime() / 1000)).toBeLessThanOrEqual(clockSecond);
    expect(clockSecond - Math.floor(new Date(s.practiceKey.createdAt).getTime() / 1000)).toBeLessThan(5);
  });
});
