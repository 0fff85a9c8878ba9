/**
 * A small in-memory stand-in for the 'electron' module, for `vi.mock('electron', ...)`.
 * Only what src/main/electron and src/preload use; behaviour is recorded so tests
 * can drive events (navigation, IPC, power) and assert on the outcomes.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  mainFrame = new FakeFrame('app://releasedesk/index.html');
  send = vi.fn();
  reload = vi.fn();
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = fn;
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** Emit a cancellable event the way Electron does; returns whether preventDefault() was called. */
  fireCancellable(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  loadURL = vi.fn(async (_url: string) => {});
  show = vi.fn();
  focus = vi.fn();
  restore = vi.fn();
  destroyed = false;
  constructor(public options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return false;
  }
  static getAllWindows() {
    return FakeBrowserWindow.instances.filter((w) => !w.destroyed);
  }
}

type PermissionRequestHandler = (wc: unknown, permission: string, cb: (granted: boolean) => void, details?: unknown) => void;
type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;

export function fakeSession() {
  const s = {
    permissionRequestHandler: null as PermissionRequestHandler | null,
    permissionCheckHandler: null as ((...a: unknown[]) => boolean) | null,
    devicePermissionHandler: null as ((...a: unknown[]) => boolean) | null,
    headersListener: null as HeadersListener | null,
    protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
    setPermissionRequestHandler(fn: PermissionRequestHandler) {
      s.permissionRequestHandler = fn;
    },
    setPermissionCheckHandler(fn: (...a: unknown[]) => boolean) {
      s.permissionCheckHandler = fn;
    },
    setDevicePermissionHandler(fn: (...a: unknown[]) => boolean) {
      s.devicePermissionHandler = fn;
    },
    webRequest: {
      onHeadersReceived(fn: HeadersListener) {
        s.headersListener = fn;
      },
    },
    protocol: {
      handle(scheme: string, fn: (req: Request) => Promise<Response>) {
        s.protocolHandlers.set(scheme, fn);
      },
    },
  };
  return s;
}

export type InvokeHandler = (event: unknown, input: unknown) => Promise<unknown>;

export function fakeElectron() {
  const ipcMainHandlers = new Map<string, InvokeHandler>();
  const app = Object.assign(new EventEmitter(), {
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(),
    exit: vi.fn(),
    getPath: vi.fn((_name: string) => '/nonexistent-userdata'),
    getVersion: vi.fn(() => '0.1.0'),
    isPackaged: true,
    whenReady: vi.fn(() => Promise.resolve()),
  });
  const rendererListeners = new Map<string, Set<(...a: unknown[]) => void>>();
  return {
    app,
    BrowserWindow: FakeBrowserWindow,
    session: { defaultSession: fakeSession() },
    protocol: { registerSchemesAsPrivileged: vi.fn() },
    ipcMain: {
      handlers: ipcMainHandlers,
      handle: vi.fn((ch: string, fn: InvokeHandler) => {
        if (ipcMainHandlers.has(ch)) throw new Error(`Attempted to register a second handler for '${ch}'`);
        ipcMainHandlers.set(ch, fn);
      }),
      removeHandler: vi.fn((ch: string) => ipcMainHandlers.delete(ch)),
    },
    powerMonitor: Object.assign(new EventEmitter(), { getSystemIdleTime: vi.fn(() => 0) }),
    dialog: { showOpenDialog: vi.fn(), showErrorBox: vi.fn() },
    contextBridge: { exposeInMainWorld: vi.fn() },
    webUtils: { getPathForFile: vi.fn((f: { path?: string }) => f.path ?? '') },
    ipcRenderer: {
      listeners: rendererListeners,
      invoke: vi.fn(async (_ch: string, _input: unknown) => ({ ok: true, value: {} })),
      on: vi.fn((ch: string, fn: (...a: unknown[]) => void) => {
        if (!rendererListeners.has(ch)) rendererListeners.set(ch, new Set());
        rendererListeners.get(ch)!.add(fn);
      }),
      removeListener: vi.fn((ch: string, fn: (...a: unknown[]) => void) => {
        rendererListeners.get(ch)?.delete(fn);
      }),
      /** Simulate main sending `payload` on `ch`, with an IpcRendererEvent-like first argument. */
      emitFromMain(ch: string, payload: unknown) {
        const event = { sender: 'ipcRenderer-itself', senderId: 0, ports: [] };
        for (const fn of rendererListeners.get(ch) ?? []) fn(event, payload);
      },
    },
  };
}

export type FakeElectron = ReturnType<typeof fakeElectron>;
