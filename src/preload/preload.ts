/**
 * Preload (sandboxed, context-isolated): the only code that sees both the page
 * and ipcRenderer. It exposes `window.rpc` (one function per contract channel,
 * each a plain `ipcRenderer.invoke` answering the result envelope) and
 * `window.apiEvents` (subscribe to the contract's events). Nothing else crosses:
 * no ipcRenderer, no event objects. The renderer builds `window.api` over
 * `window.rpc` (src/shared/api-client.ts): the typed ApiError must be made in the
 * page's world, since an Error crossing the contextBridge keeps only its message.
 *
 * Bundled by Vite (vite.preload.config.mts), because a sandboxed preload can
 * `require` only 'electron'. Kept tiny on purpose: validation happens once, in
 * main's dispatch (trust boundary), never here.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CHANNEL_NAMES, events, ipcChannel, type ApiWire, type EventName } from '../shared/contract';
import { eventChannel, type ApiEvents, type Bridge } from '../shared/bridge';

/** `window.rpc`: channel name -> `(input) => Promise<RpcResult>` through `ipcRenderer.invoke('rd:<name>', input)`. */
export function buildRpc(): ApiWire {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of CHANNEL_NAMES) {
    const channel = ipcChannel(name);
    api[name] = (input: unknown) => ipcRenderer.invoke(channel, input ?? {});
  }
  return Object.freeze(api) as ApiWire;
}

/**
 * `window.apiEvents.on(name, cb) -> unsubscribe`. Unknown names throw (a typo
 * in the renderer should fail loudly, not listen forever to nothing). The
 * listener receives the payload only; the IpcRendererEvent is dropped.
 */
export function buildApiEvents(): ApiEvents {
  const known = new Set<string>(Object.keys(events));
  return Object.freeze({
    on(name: EventName, listener: (payload: never) => void) {
      if (!known.has(name)) throw new Error(`Unknown event "${String(name)}".`);
      const channel = eventChannel(name);
      const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload as never);
      ipcRenderer.on(channel, wrapped);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        ipcRenderer.removeListener(channel, wrapped);
      };
    },
  }) as ApiEvents;
}

/**
 * `window.fileDrop.stage(files)`: files dropped onto the Records step go to main's drop staging area
 * (src/main/electron/drop.ts) — each as its path from `webUtils.getPathForFile` (the page never sees it), or as
 * its bytes when it has no path (a file dragged out of another program). Then the renderer calls the contract
 * channel `documents.importDropped`. Resolves when staged; rejects when main refused the drop.
 */
export function buildFileDrop(): { stage(files: File[]): Promise<void> } {
  return Object.freeze({
    async stage(files: File[]) {
      const items: Array<{ name: string; path: string } | { name: string; bytes: Uint8Array }> = [];
      for (const file of Array.from(files)) {
        const path = webUtils.getPathForFile(file);
        items.push(path ? { name: file.name, path } : { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
      }
      const r = (await ipcRenderer.invoke('rd-drop:stage', items)) as { ok: boolean };
      if (!r?.ok) throw new Error('drop refused');
    },
  });
}

const bridge: Bridge = { rpc: buildRpc(), apiEvents: buildApiEvents() };
contextBridge.exposeInMainWorld('rpc', bridge.rpc);
contextBridge.exposeInMainWorld('apiEvents', bridge.apiEvents);
contextBridge.exposeInMainWorld('fileDrop', buildFileDrop());
