/**
 * The idle lock setting (issue 11, point 3) through the real dispatch: 5 minutes until changed (no migration: an
 * unset key reads as the default), 1..60 whole minutes accepted, anything else refused at the contract, each change
 * audited as settings.change with before and after; the dashboard and the Electron shell read the same value.
 */
import { describe, expect, it } from 'vitest';
import { type Backend } from '../../support/backend';
import { useBackend } from '../../support/release-suite';

describe('idle lock setting', () => {
  let b: Backend;
  useBackend({}, (started) => {
    b = started;
  }, 60_000);

  it('reads 5 minutes on a vault that never set it, for the renderer and the shell alike', async () => {
    expect(await b.call('settings.getIdleLock', {})).toEqual({ idleMinutes: 5 });
    expect(b.services.idleLockMinutes()).toBe(5);
  });

  it('stores a new time, audits before and after, and the shell and the dashboard follow it', async () => {
    expect(await b.call('settings.setIdleLock', { idleMinutes: 12 })).toEqual({ idleMinutes: 12 });
    expect(await b.call('settings.getIdleLock', {})).toEqual({ idleMinutes: 12 });
    expect(b.services.idleLockMinutes()).toBe(12);
    const ev = (await b.call('audit.events', { limit: 1 }))[0]!;
    expect(ev).toMatchObject({ action: 'settings.change', outcome: 'success', detail: { key: 'idleLock.idleMinutes', before: 5, after: 12 } });
    const posture = (await b.call('dashboard.get', {})).posture.find((p) => p.key === 'auto_lock');
    expect(posture?.label).toBe('Locks itself after 12 minutes without use');
  });

  it.each([0, 61, 2.5, -1])('refuses %s minutes at the boundary and keeps the stored time', async (idleMinutes) => {
    await expect(b.call('settings.setIdleLock', { idleMinutes })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await b.call('settings.getIdleLock', {})).toEqual({ idleMinutes: 12 });
  });

  it('accepts the bounds 1 and 60', async () => {
    expect(await b.call('settings.setIdleLock', { idleMinutes: 1 })).toEqual({ idleMinutes: 1 });
    expect(await b.call('settings.setIdleLock', { idleMinutes: 60 })).toEqual({ idleMinutes: 60 });
  });

  it('is not readable while the vault is locked (the shell then uses the default)', async () => {
    b.services.session.lock();
    await expect(b.call('settings.getIdleLock', {})).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    expect(b.services.idleLockMinutes()).toBeNull();
  });
});
