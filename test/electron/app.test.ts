import * as electron from 'electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type Shell } from '../../src/main/electron/app';
import type { Handlers } from '../../src/main/rpc/dispatch';
import type { ServicesConfig } from '../../src/main/services/index';
import { memoryLogger } from '../../src/main/services/support/logger';
import { EventBus } from '../../src/main/services/support/events';
import { CHANNEL_NAMES, ipcChannel } from '../../src/shared/contract';
import { FakeBrowserWindow, FakeFrame, FakeWebContents, type FakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
const fake = electron as unknown as FakeElectron;

let userData: string;
let shell: Shell<{ session: { lock: () => void; state: 'uninitialized' | 'locked' | 'unlocked' }; events: EventBus }>;
let receivedConfig: ServicesConfig;
const services = { session: { lock: vi.fn(), state: 'unlocked' as 'uninitialized' | 'locked' | 'unlocked' }, events: new EventBus() };
const appInfo = vi.fn(() => ({ mode: 'electron' as const, version: '0.1.0', vault: 'locked' as const, practiceName: null, staffName: null }));

beforeAll(async () => {
  userData = mkdtempSync(join(tmpdir(), 'rd-app-'));
  fake.app.getPath.mockReturnValue(userData);
  // Electron sets this in a packaged app; plain Node does not have it.
  Object.defineProperty(process, 'resourcesPath', { value: '/opt/ReleaseDesk/resources', configurable: true });
  const handlers = new Proxy({} as Handlers, { get: (_t, name) => (name === 'app.info' ? appInfo : () => ({})) });
  shell = (await startApp({
    createServices: (config) => {
      receivedConfig = config;
      return services;
    },
    createHandlers: () => handlers,
    buildDir: '/opt/releasedesk/.vite/build',
    rendererName: 'main_window',
    logger: memoryLogger(),
    idleMinutes: 7,
  }))!;
});
afterAll(() => {
  shell?.dispose();
  rmSync(userData, { recursive: true, force: true });
});

describe('startApp (main process wiring)', () => {
  it('enables the sandbox, registers app:// before ready and takes the single instance lock', () => {
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalled();
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled();
  });

  it('creates services with the vault in <userData>/vault, electron mode and a dialog-backed FilePicker', async () => {
    expect(receivedConfig.dataDir).toBe(join(userData, 'vault'));
    expect(receivedConfig.mode).toBe('electron');
    expect(receivedConfig.version).toBe('0.1.0');
    // Packaged: PDF fonts come from the extra resource folder (forge.config.ts extraResource).
    expect(receivedConfig.assetsRoot).toBe(join('/opt/ReleaseDesk/resources', 'assets'));
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/tmp/Zyxwv Testpatient chart.pdf'] });
    const picked = await receivedConfig.filePicker.pick();
    expect(picked.map((p) => p.name)).toEqual(['Zyxwv Testpatient chart.pdf']);
    const [, options] = fake.dialog.showOpenDialog.mock.calls[0] as [unknown, { properties: string[]; filters: { extensions: string[] }[] }];
    expect(options.properties).toEqual(expect.arrayContaining(['openFile', 'multiSelections']));
    expect(options.filters[0]!.extensions).toEqual(['pdf', 'jpg', 'jpeg', 'png', 'tif', 'tiff']);
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await receivedConfig.filePicker.pick()).toEqual([]);
  });

  it('loads the hardened window from app://releasedesk with the built preload', () => {
    const win = shell.getWindow() as unknown as FakeBrowserWindow;
    expect(win).toBeInstanceOf(FakeBrowserWindow);
    expect(win.loadURL).toHaveBeenCalledWith('app://releasedesk/index.html');
    expect((win.options.webPreferences as { preload: string }).preload).toBe('/opt/releasedesk/.vite/build/preload.js');
    expect(fake.session.defaultSession.protocolHandlers.has('app')).toBe(true);
    expect(fake.session.defaultSession.permissionRequestHandler).not.toBeNull();
  });

  it('registers every contract channel; our window reaches dispatch, another webContents does not', async () => {
    // Every contract channel, plus the drop staging channel (paths/bytes of dropped files, src/main/electron/drop.ts).
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...CHANNEL_NAMES.map(ipcChannel), 'rd-drop:stage'].sort());
    const win = shell.getWindow() as unknown as FakeBrowserWindow;
    const handler = fake.ipcMain.handlers.get(ipcChannel('app.info'))!;
    expect(await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, {})).toEqual({ ok: true, value: expect.objectContaining({ vault: 'locked' }) });
    expect(appInfo).toHaveBeenCalledTimes(1);
    const stranger = new FakeWebContents();
    const refused = await handler({ sender: stranger, senderFrame: new FakeFrame('app://releasedesk/index.html') }, {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED_SENDER' } });
    expect(appInfo).toHaveBeenCalledTimes(1);
  });

  it('forwards service events to the window on rd-event:<name>, dropping invalid payloads', () => {
    const win = shell.getWindow() as unknown as FakeBrowserWindow;
    const payload = { operation: 'send' as const, releaseId: 'rel_123456', done: 2, total: 4 };
    services.events.emit('progress', payload);
    expect(win.webContents.send).toHaveBeenCalledWith('rd-event:progress', payload);
    services.events.emit('progress', { operation: 'send', releaseId: 'Zyxwv Testpatient', done: 1, total: 1 } as never);
    expect(win.webContents.send).toHaveBeenCalledTimes(1);
  });

  it('automatic logoff: lock-screen locks the vault and reloads the UI so no PHI stays on screen', () => {
    const win = shell.getWindow() as unknown as FakeBrowserWindow;
    fake.powerMonitor.emit('lock-screen');
    expect(services.session.lock).toHaveBeenCalledTimes(1);
    expect(win.webContents.reload).toHaveBeenCalledTimes(1);
    services.session.state = 'locked';
    fake.powerMonitor.emit('suspend');
    expect(services.session.lock).toHaveBeenCalledTimes(2);
    expect(win.webContents.reload).toHaveBeenCalledTimes(1);
  });

  it('quitting locks the vault; closing the last window quits', () => {
    fake.app.emit('window-all-closed');
    expect(fake.app.quit).toHaveBeenCalled();
    const before = services.session.lock.mock.calls.length;
    fake.app.emit('will-quit');
    expect(services.session.lock.mock.calls.length).toBe(before + 1);
  });

  it('a second instance quits without starting anything', async () => {
    fake.app.requestSingleInstanceLock.mockReturnValueOnce(false);
    const createServices = vi.fn();
    const result = await startApp({ createServices, createHandlers: vi.fn(), buildDir: '/x', rendererName: 'main_window', logger: memoryLogger() });
    expect(result).toBeNull();
    expect(createServices).not.toHaveBeenCalled();
  });
});
