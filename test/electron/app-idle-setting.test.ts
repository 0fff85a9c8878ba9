/**
 * The Electron shell and the renderer share one idle time: without a fixed `idleMinutes`, startApp reads the
 * practice's idle lock setting (services.idleLockMinutes) at every poll of the computer's idle time, so a change in
 * Settings applies at once; while the vault is locked (null) the default of 5 minutes applies.
 */
import * as electron from 'electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type Shell } from '../../src/main/electron/app';
import { IDLE_POLL_MS } from '../../src/main/electron/autolock';
import type { Handlers } from '../../src/main/rpc/dispatch';
import { memoryLogger } from '../../src/main/services/support/logger';
import type { FakeBrowserWindow, FakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
const fake = electron as unknown as FakeElectron;

let userData: string;
let setting: number | null = 2;
const services = {
  session: { lock: vi.fn(), state: 'unlocked' as 'uninitialized' | 'locked' | 'unlocked' },
  idleLockMinutes: vi.fn(() => setting),
};
let shell: Shell<typeof services>;

beforeAll(async () => {
  vi.useFakeTimers();
  userData = mkdtempSync(join(tmpdir(), 'rd-app-idle-'));
  fake.app.getPath.mockReturnValue(userData);
  Object.defineProperty(process, 'resourcesPath', { value: '/opt/ReleaseDesk/resources', configurable: true });
  shell = (await startApp({
    createServices: () => services,
    createHandlers: () => new Proxy({} as Handlers, { get: () => () => ({}) }),
    buildDir: '/opt/releasedesk/.vite/build',
    rendererName: 'main_window',
    logger: memoryLogger(),
  }))!;
});
afterAll(() => {
  shell?.dispose();
  vi.useRealTimers();
  rmSync(userData, { recursive: true, force: true });
});

describe('shell idle lock follows the practice setting', () => {
  it('locks after the setting (2 minutes) of computer idle time, then uses 5 minutes while the setting is unreadable', () => {
    const win = shell.getWindow() as unknown as FakeBrowserWindow;
    let idleSeconds = 119;
    fake.powerMonitor.getSystemIdleTime.mockImplementation(() => idleSeconds);
    vi.advanceTimersByTime(IDLE_POLL_MS);
    expect(services.session.lock).not.toHaveBeenCalled();
    idleSeconds = 120;
    vi.advanceTimersByTime(IDLE_POLL_MS);
    expect(services.session.lock).toHaveBeenCalledTimes(1);
    expect(win.webContents.reload).toHaveBeenCalledTimes(1);
    expect(services.idleLockMinutes).toHaveBeenCalled();

    idleSeconds = 0; // back at the computer
    vi.advanceTimersByTime(IDLE_POLL_MS);
    setting = null; // vault locked: setting unreadable
    idleSeconds = 299;
    vi.advanceTimersByTime(IDLE_POLL_MS);
    expect(services.session.lock).toHaveBeenCalledTimes(1);
    idleSeconds = 300;
    vi.advanceTimersByTime(IDLE_POLL_MS);
    expect(services.session.lock).toHaveBeenCalledTimes(2);
  });
});
