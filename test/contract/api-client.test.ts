import { describe, expect, it, vi } from 'vitest';
import { apiOverWire, createApi, TRANSPORT_FAILED } from '../../src/shared/api-client';
import { CHANNEL_NAMES, type ApiWire } from '../../src/shared/contract';
import { ApiError } from '../../src/shared/errors';

describe('window.api over a transport (src/shared/api-client.ts)', () => {
  it('has exactly the contract channels and resolves to the output value', async () => {
    const send = vi.fn(async () => ({ ok: true as const, value: { valid: true, suggestion: null, problem: null, warning: null } }));
    const api = createApi(send);
    expect(Object.keys(api).sort()).toEqual([...CHANNEL_NAMES].sort());
    await expect(api['recipients.checkEmail']({ email: 'a@example.test' })).resolves.toEqual({ valid: true, suggestion: null, problem: null, warning: null });
    expect(send).toHaveBeenCalledExactlyOnceWith('recipients.checkEmail', { email: 'a@example.test' });
  });

  it('throws an ApiError with the wire code and message when main refuses', async () => {
    const api = createApi(async () => ({ ok: false as const, error: { code: 'WRONG_PASSPHRASE' as const, message: 'The passphrase is not correct.' } }));
    const err = await api['vault.unlock']({ passphrase: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'WRONG_PASSPHRASE', message: 'The passphrase is not correct.' });
  });

  it('turns a transport failure into INTERNAL with our own message (never the transport text)', async () => {
    const api = createApi(async () => {
      throw new Error('ipc broke at /home/someone/patient.pdf');
    });
    const err = (await api['app.info']({}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toBe(TRANSPORT_FAILED);
  });

  it('sends synchronously, before the first await (a click keeps its user gesture)', () => {
    const send = vi.fn(() => new Promise<never>(() => {}));
    void createApi(send)['documents.pick']({ releaseId: 'rel_000001' });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('over the preload wire calls the channel function with an empty object for a missing input', async () => {
    const info = vi.fn(async () => ({ ok: true as const, value: { mode: 'electron' } }));
    const wire = new Proxy({}, { get: (_t, name) => (name === 'app.info' ? info : undefined) }) as unknown as ApiWire;
    await expect(apiOverWire(wire)['app.info'](undefined as never)).resolves.toEqual({ mode: 'electron' });
    expect(info).toHaveBeenCalledWith({});
  });
});
