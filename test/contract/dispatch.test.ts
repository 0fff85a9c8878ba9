import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../../src/shared/contract';
import { AppError } from '../../src/shared/errors';
import { createDispatch, type Handlers } from '../../src/main/rpc/dispatch';
import { createHandlers } from '../../src/main/rpc/handlers';
import type { Services } from '../../src/main/services';
import { memoryLogger } from '../../src/main/services/support/logger';

const MARKER = 'Zyxwv Testpatient';

function dispatchWith(partial: Partial<Handlers>) {
  const logger = memoryLogger();
  return { logger, dispatch: createDispatch(partial as Handlers, logger) };
}

describe('dispatch (the trust boundary)', () => {
  it('has exactly one handler per contract channel', () => {
    const handlers = createHandlers({} as Services);
    expect(Object.keys(handlers).sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  it('rejects an unknown channel', async () => {
    const { dispatch } = dispatchWith({});
    expect(await dispatch('fs.readFile', { path: '/etc/passwd' })).toEqual({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'Unknown request.' } });
  });

  it('rejects invalid input naming the fields but never echoing values', async () => {
    let called = false;
    const { dispatch } = dispatchWith({ 'requests.create': () => ((called = true), null as never) });
    const r = await dispatch('requests.create', { patient: { name: `${MARKER}\r\nBcc: x@example.com`, dateOfBirth: '1990-13', mrn: '' } });
    expect(called).toBe(false);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION_FAILED');
    expect(r.error.message).toContain('patient.name');
    expect(r.error.message).toContain('patient.dateOfBirth');
    expect(JSON.stringify(r)).not.toContain('Zyxwv');
  });

  it('reports refused input to the audit hook with field paths only', async () => {
    const seen: Array<[string, string[]]> = [];
    const dispatch = createDispatch({} as Handlers, memoryLogger(), { onInvalidInput: (c, f) => seen.push([c, f]) });
    await dispatch('releases.setRecipient', { releaseId: 'abcdefgh', name: `${MARKER}\r\nBcc: x@example.com`, email: 'x', fingerprintConfirmed: true });
    expect(seen).toEqual([['releases.setRecipient', ['name']]]);
  });

  it('rejects unexpected extra fields (strict inputs)', async () => {
    const { dispatch } = dispatchWith({ 'vault.lock': () => ({}) });
    expect(await dispatch('vault.lock', { evil: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('passes AppError code and message through', async () => {
    const { dispatch } = dispatchWith({
      'vault.unlock': () => {
        throw new AppError('WRONG_PASSPHRASE', 'That passphrase does not unlock this vault.');
      },
    });
    expect(await dispatch('vault.unlock', { passphrase: 'x' })).toEqual({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE', message: 'That passphrase does not unlock this vault.' },
    });
  });

  it('turns any other exception into INTERNAL without its message, in the reply or the log', async () => {
    const { dispatch, logger } = dispatchWith({
      'releases.list': () => {
        throw new Error(`UNIQUE constraint failed: ${MARKER}`);
      },
    });
    const r = await dispatch('releases.list', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain('Zyxwv');
    expect(logger.lines.join('\n')).not.toContain('Zyxwv');
    expect(logger.lines.join('\n')).toContain('rpc.internal_error');
  });

  it('refuses to return output that breaks the contract', async () => {
    const { dispatch } = dispatchWith({ 'releases.list': () => [{ id: 'short' }] as never });
    expect(await dispatch('releases.list', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('wraps valid output', async () => {
    const { dispatch } = dispatchWith({ 'recipients.checkEmail': () => ({ valid: true, suggestion: null, problem: null, warning: null }) });
    expect(await dispatch('recipients.checkEmail', { email: 'a@example.com' })).toEqual({
      ok: true,
      value: { valid: true, suggestion: null, problem: null, warning: null },
    });
  });
});
