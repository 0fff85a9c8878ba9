/**
 * IPC registration with a sender check (Electron security checklist item 17:
 * "Validate the sender of all IPC messages").
 *
 * Every contract channel gets one `ipcMain.handle('rd:<name>')`. A message is
 * served only if it comes from our main window's webContents, from its top
 * frame, and that frame shows our own origin (app://releasedesk, or the Vite
 * dev server during `electron-forge start`). Anything else gets an
 * UNAUTHORIZED_SENDER result and never reaches dispatch. Input validation
 * happens once, in dispatch (src/main/rpc/dispatch.ts).
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CHANNEL_NAMES, ipcChannel, type RpcResult } from '../../shared/contract';
import type { Dispatch } from '../rpc/dispatch';
import type { Logger } from '../services/support/logger';

/** Decides whether an IPC message may be served. */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** What an untrusted sender gets back (a normal RpcResult, so the bridge never throws). */
export const UNAUTHORIZED_SENDER_RESULT: RpcResult<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'UNAUTHORIZED_SENDER', message: 'This request did not come from the ReleaseDesk window and was refused.' }),
}) as RpcResult<never>;

/**
 * `protocol//host` of `url` (e.g. "app://releasedesk", "http://localhost:5173"),
 * or null if it does not parse. Used instead of `URL.origin`, which is the
 * opaque "null" for custom schemes (WHATWG URL §4.7 origin).
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

/**
 * Build the sender check: the sender must be exactly `getWebContents()` (our
 * main window; null while it does not exist -> refuse), the frame must be
 * its top frame, and the frame URL's origin must be one of `allowedOrigins`.
 */
export function createSenderCheck(opts: { getWebContents: () => WebContents | null; allowedOrigins: readonly string[] }): SenderCheck {
  const allowed = new Set(opts.allowedOrigins);
  return (event) => {
    const ours = opts.getWebContents();
    if (!ours || ours.isDestroyed() || event.sender !== ours) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    const origin = originOf(frame.url);
    return origin !== null && allowed.has(origin);
  };
}

/**
 * Register `ipcMain.handle(ipcChannel(name))` for every channel in the contract.
 * Trusted messages go to `dispatch(name, input)` (which never throws);
 * untrusted ones get {@link UNAUTHORIZED_SENDER_RESULT} and are logged by
 * channel name only.
 * @returns a function removing all the handlers again
 */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: Dispatch, isTrusted: SenderCheck, logger: Logger): () => void {
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event, input: unknown) => {
      if (!isTrusted(event)) {
        logger.warn('ipc.unauthorized_sender', { channel: name });
        return UNAUTHORIZED_SENDER_RESULT;
      }
      return dispatch(name, input);
    });
  }
  return () => {
    for (const name of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(name));
  };
}
