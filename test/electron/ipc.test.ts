import * as electron from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createSenderCheck, originOf, registerIpcHandlers, UNAUTHORIZED_SENDER_RESULT } from '../../src/main/electron/ipc';
import { CHANNEL_NAMES, ipcChannel } from '../../src/shared/contract';
import { memoryLogger } from '../../src/main/services/support/logger';
import { FakeFrame, FakeWebContents, type FakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
const fake = electron as unknown as FakeElectron;

function setup() {
  fake.ipcMain.handlers.clear();
  const ours = new FakeWebContents();
  const logger = memoryLogger();
  const dispatch = vi.fn(async (_channel: string, _input: unknown) => ({ ok: true as const, value: { served: true } }));
  const check = createSenderCheck({ getWebContents: () => ours as unknown as electron.WebContents, allowedOrigins: ['app://releasedesk'] });
  const unregister = registerIpcHandlers(fake.ipcMain as unknown as electron.IpcMain, dispatch, check, logger);
  const invoke = (channel: string, event: { sender: unknown; senderFrame: FakeFrame | null }, input: unknown = {}) => fake.ipcMain.handlers.get(channel)!(event, input);
  return { ours, logger, dispatch, unregister, invoke };
}

describe('IPC registration and sender check', () => {
  it('registers exactly one handler per contract channel, on rd:<name>, and removes them again', () => {
    const { unregister } = setup();
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map(ipcChannel).sort());
    expect(CHANNEL_NAMES.length).toBeGreaterThan(10);
    unregister();
    expect(fake.ipcMain.handlers.size).toBe(0);
  });

  it('serves a message from our window top frame on app://releasedesk through dispatch', async () => {
    const { ours, dispatch, invoke } = setup();
    const result = await invoke(ipcChannel('releases.get'), { sender: ours, senderFrame: ours.mainFrame }, { id: 'abcdef' });
    expect(result).toEqual({ ok: true, value: { served: true } });
    expect(dispatch).toHaveBeenCalledExactlyOnceWith('releases.get', { id: 'abcdef' });
  });

  const untrusted: Array<[string, (ours: FakeWebContents) => { sender: unknown; senderFrame: FakeFrame | null }]> = [
    ['another webContents (even on our origin)', () => ({ sender: new FakeWebContents(), senderFrame: new FakeFrame('app://releasedesk/index.html') })],
    ['our webContents, but a frame on another origin', (o) => ({ sender: o, senderFrame: new FakeFrame('https://evil.example/index.html') })],
    ['our webContents, a file:// frame', (o) => ({ sender: o, senderFrame: new FakeFrame('file:///etc/passwd') })],
    ['our webContents, an app:// frame with another host', (o) => ({ sender: o, senderFrame: new FakeFrame('app://evil/index.html') })],
    ['our webContents, a subframe on our origin', (o) => ({ sender: o, senderFrame: new FakeFrame('app://releasedesk/x.html', o.mainFrame) })],
    ['our webContents, frame gone (null)', (o) => ({ sender: o, senderFrame: null })],
    ['our webContents, the dev server origin while not in dev', (o) => ({ sender: o, senderFrame: new FakeFrame('http://localhost:5173/') })],
  ];
  for (const [what, event] of untrusted) {
    it(`refuses ${what} with UNAUTHORIZED_SENDER and never calls dispatch`, async () => {
      const { ours, dispatch, invoke, logger } = setup();
      const result = await invoke(ipcChannel('audit.events'), event(ours), { limit: 5 });
      expect(result).toEqual({ ok: false, error: { code: 'UNAUTHORIZED_SENDER', message: expect.any(String) } });
      expect(result).toBe(UNAUTHORIZED_SENDER_RESULT);
      expect(dispatch).not.toHaveBeenCalled();
      expect(logger.lines.some((l) => l.includes('ipc.unauthorized_sender') && l.includes('audit.events'))).toBe(true);
    });
  }

  it('refuses everything while the main window does not exist or is destroyed', () => {
    const ours = new FakeWebContents();
    let current: FakeWebContents | null = null;
    const check = createSenderCheck({ getWebContents: () => current as unknown as electron.WebContents, allowedOrigins: ['app://releasedesk'] });
    const event = { sender: ours, senderFrame: ours.mainFrame } as unknown as electron.IpcMainInvokeEvent;
    expect(check(event)).toBe(false);
    current = ours;
    expect(check(event)).toBe(true);
    ours.destroyed = true;
    expect(check(event)).toBe(false);
  });

  it('originOf compares protocol//host (custom schemes have an opaque URL.origin)', () => {
    expect(new URL('app://releasedesk/index.html').origin).toBe('null');
    expect(originOf('app://releasedesk/index.html#/x')).toBe('app://releasedesk');
    expect(originOf('http://localhost:5173/src/main.tsx')).toBe('http://localhost:5173');
    expect(originOf('not a url')).toBeNull();
    expect(originOf('about:blank')).toBeNull();
  });
});
