// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ApiError, call } from '../../../src/renderer/lib/call';
import { fail, installFakeApi, ok } from './harness';

describe('call()', () => {
  it('unwraps { ok: true } to the value', async () => {
    installFakeApi({ 'recipients.checkEmail': () => ok({ valid: true, suggestion: null, problem: null, warning: null }) });
    await expect(call('recipients.checkEmail', { email: 'a@example.test' })).resolves.toEqual({ valid: true, suggestion: null, problem: null, warning: null });
  });

  it('throws a typed ApiError with the wire code and message on { ok: false }', async () => {
    installFakeApi({ 'vault.unlock': () => fail('WRONG_PASSPHRASE', 'The passphrase is not correct.') });
    const err = await call('vault.unlock', { passphrase: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'WRONG_PASSPHRASE', message: 'The passphrase is not correct.' });
  });

  it('invokes window.api synchronously, so a click keeps its user gesture', () => {
    const fake = installFakeApi({ 'documents.pick': () => ok({ imported: [], rejected: [] }) });
    void call('documents.pick', { releaseId: 'rel_000001' });
    expect(fake.callsTo('documents.pick')).toEqual([{ releaseId: 'rel_000001' }]);
  });
});
