/**
 * Browser-preview stand-in for the Electron preload: installs `window.api` and
 * `window.apiEvents` over HTTP to the 127.0.0.1 test host (test/host/server.ts).
 *
 * Only bundled when `__PREVIEW__` is true (vite `--mode preview`); the packaged
 * app never contains it. Protocol (all same-origin, allowed by `connect-src 'self'`):
 * - token: arrives once as `#token=...`; kept in sessionStorage and removed from
 *   the URL with `history.replaceState` so it is not left in history or screenshots;
 * - RPC: `POST /rpc/<channel>`, JSON body = input, `Authorization: Bearer <token>`;
 *   the response body is an `RpcResult` (never thrown across the bridge);
 * - import: `documents.pick` (and `authorizations.attachSignedForm`) opens a hidden `<input type=file>` synchronously (the
 *   caller must invoke it inside the user's click), uploads each chosen file with
 *   `POST /upload` (raw bytes, `X-File-Name: encodeURIComponent(name)`), then calls
 *   the `documents.pick` RPC, whose host-side picker hands main the staged files;
 * - drop: files dropped onto the Records step are uploaded the same way with `X-Staging: drop` (platform/drop.ts),
 *   then `documents.importDropped` imports them;
 * - events: Server-Sent Events from `GET /events?token=...`, data `{ name, payload }`;
 * - print: the print-ready packet opens in a new tab from `GET /printable/<id>?token=...` (the browser's PDF
 *   viewer prints it); registered with platform/printable.ts so the token stays in this module;
 * - presence (automatic logoff, 45 CFR 164.312(a)(2)(iii)): when the tab is closed, reloaded or navigated away
 *   (`pagehide`) the page sends `vault.lock` as a keepalive request, so the vault does not stay open behind a closed
 *   tab; while open it sends `POST /heartbeat` when the host says (its answer `nextInMs`), and the host locks the vault
 *   by itself when the heartbeats stop (a killed or crashed tab). A page restored from the back/forward cache reloads.
 */
import { CHANNEL_NAMES } from '../../shared/contract';
import type { ApiEvents } from '../../shared/bridge';
import { registerPrintableOpener } from './printable';
import { registerDropStager } from './drop';
import type { Api, ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload, RpcResult } from '../../shared/contract';

const TOKEN_KEY = 'releasedesk.preview.token';

/** Reads `#token=` from the URL (then strips it) or from sessionStorage. */
export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string {
  const m = /(?:^#|&)token=([^&]+)/.exec(loc.hash);
  if (m?.[1]) {
    storage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    window.history.replaceState(null, '', loc.pathname + loc.search);
  }
  return storage.getItem(TOKEN_KEY) ?? '';
}

function unreachable(): RpcResult<never> {
  return { ok: false, error: { code: 'INTERNAL', message: 'The preview host could not be reached. Is it still running?' } };
}

async function rpc<C extends ChannelName>(token: string, channel: C, input: ChannelInput<C>): Promise<RpcResult<ChannelOutput<C>>> {
  try {
    const res = await fetch(`/rpc/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
    return (await res.json()) as RpcResult<ChannelOutput<C>>;
  } catch {
    return unreachable();
  }
}

/**
 * Opens the browser's file chooser synchronously and resolves with the chosen
 * files (empty when the user cancels).
 */
function chooseFiles(accept: string): Promise<File[]> {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.accept = accept;
  input.style.display = 'none';
  input.setAttribute('aria-hidden', 'true');
  input.tabIndex = -1;
  document.body.appendChild(input);
  const done = new Promise<File[]>((resolve) => {
    const finish = (files: File[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => finish(Array.from(input.files ?? [])), { once: true });
    input.addEventListener('cancel', () => finish([]), { once: true });
  });
  input.click(); // synchronous, inside the user's gesture
  return done;
}

async function upload(token: string, file: File, staging: 'pick' | 'drop' = 'pick'): Promise<void> {
  const res = await fetch('/upload', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'X-File-Name': encodeURIComponent(file.name),
      'Content-Type': 'application/octet-stream',
      ...(staging === 'drop' ? { 'X-Staging': 'drop' } : {}),
    },
    body: await file.arrayBuffer(),
  });
  if (!res.ok) throw new Error(`upload failed with HTTP ${res.status}`);
}

type Listener = (payload: unknown) => void;

/** Builds the preview `window.api` and `window.apiEvents`. */
export function createPreviewBridge(token: string): { api: Api; apiEvents: ApiEvents } {
  const api = {} as Record<ChannelName, (input: unknown) => Promise<RpcResult<unknown>>>;
  for (const name of CHANNEL_NAMES) {
    api[name] = (input) => rpc(token, name, input as never);
  }
  // Channels whose main-side picker takes files the user chooses: choose and upload first, then call.
  const pickThenCall = (name: ChannelName, input: unknown, accept: string) => {
    const chosen = chooseFiles(accept); // must run before any await
    return (async () => {
      const files = await chosen;
      try {
        for (const f of files) await upload(token, f);
      } catch {
        return unreachable();
      }
      return rpc(token, name, input as never);
    })();
  };
  const PDF = 'application/pdf,.pdf';
  // Record files may be PDFs, photos, scans and faxes; a signed authorization or authority document is a PDF.
  api['documents.pick'] = (input) => pickThenCall('documents.pick', input, `${PDF},image/jpeg,.jpg,.jpeg,image/png,.png,image/tiff,.tif,.tiff`);
  api['authorizations.attachSignedForm'] = (input) => pickThenCall('authorizations.attachSignedForm', input, PDF);
  // Picks only when a copy of a representative's authority document is attached (164.514(h)).
  api['requests.recordRepresentativeAuthority'] = (input) =>
    (input as { method?: string }).method === 'copy_attached' ? pickThenCall('requests.recordRepresentativeAuthority', input, PDF) : rpc(token, 'requests.recordRepresentativeAuthority', input as never);

  const listeners = new Map<string, Set<Listener>>();
  let source: EventSource | null = null;
  const ensureSource = () => {
    if (source) return;
    source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (ev: MessageEvent<string>) => {
      try {
        const msg = JSON.parse(ev.data) as { name: string; payload: unknown };
        listeners.get(msg.name)?.forEach((cb) => cb(msg.payload));
      } catch {
        /* ignore malformed event */
      }
    };
  };
  const apiEvents: ApiEvents = {
    on<E extends EventName>(name: E, cb: (payload: EventPayload<E>) => void) {
      ensureSource();
      const set = listeners.get(name) ?? new Set<Listener>();
      listeners.set(name, set);
      const l = cb as Listener;
      set.add(l);
      return () => set.delete(l);
    },
  };
  return { api: api as unknown as Api, apiEvents };
}

/** Until the host answers: a heartbeat every 30 s (the host's default silence limit is 120 s). */
const FIRST_HEARTBEAT_MS = 30_000;

/**
 * Keeps the host informed that this tab is alive, and locks the vault when the page goes away (see the module
 * comment). @returns stop(), for tests
 */
export function startPresence(token: string, win: Window = window): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const beat = async () => {
    let next = FIRST_HEARTBEAT_MS;
    try {
      const res = await fetch('/heartbeat', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { nextInMs?: number | null };
      if (typeof body.nextInMs === 'number' && body.nextInMs > 0) next = body.nextInMs;
    } catch {
      // The host is unreachable: try again later (every call says so on screen).
    }
    if (!stopped) timer = setTimeout(() => void beat(), next);
  };
  const onPageHide = () => {
    // keepalive: the request outlives the page (closing the tab, reloading, navigating away).
    void fetch('/rpc/vault.lock', {
      method: 'POST',
      keepalive: true,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    }).catch(() => {});
  };
  const onPageShow = (e: PageTransitionEvent) => {
    if (e.persisted) win.location.reload(); // back from the cache after pagehide locked the vault: show the truth
  };
  win.addEventListener('pagehide', onPageHide);
  win.addEventListener('pageshow', onPageShow);
  void beat();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    win.removeEventListener('pagehide', onPageHide);
    win.removeEventListener('pageshow', onPageShow);
  };
}

/** Installs the preview bridge on `window` (called from main.tsx in preview builds only). */
export function installPreviewBridge(): void {
  const token = takeToken();
  startPresence(token);
  const { api, apiEvents } = createPreviewBridge(token);
  window.api = api;
  window.apiEvents = apiEvents;
  registerPrintableOpener((printableId) => {
    window.open(`/printable/${encodeURIComponent(printableId)}?token=${encodeURIComponent(token)}`, '_blank', 'noopener');
  });
  registerDropStager(async (files) => {
    for (const f of files) await upload(token, f, 'drop');
  });
}
