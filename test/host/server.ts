/**
 * The development/test host: the real services and the same `dispatch` as the
 * Electron main process, served over HTTP on 127.0.0.1 so the real renderer
 * runs in a browser (Chromium under Playwright, or a person using
 * `npm run preview`) on machines without the Electron binary.
 *
 * Never packaged. Guarded by a random per-run bearer token, a Host-header
 * check (DNS rebinding) and loopback-only binding.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, open as openFile, readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createDispatch } from '../../src/main/rpc/dispatch';
import { createHandlers } from '../../src/main/rpc/handlers';
import { createServices, type Services, type ServicesConfig } from '../../src/main/services';
import type { PickedFile } from '../../src/main/services/documents/picker';
import type { FolderPurpose } from '../../src/main/services/documents/folder-picker';
import type { Clock } from '../../src/main/services/support/clock';
import type { Logger } from '../../src/main/services/support/logger';

export interface HostOptions {
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  smtpCa?: string[];
  /** Built renderer (default: <repo>/.preview-build). */
  staticDir?: string;
  clock?: Clock;
  logger?: Logger;
  /**
   * Preview-only stand-in for the Electron folder and save dialogs; without it both exports answer EXPORT_UNAVAILABLE.
   * releases.export writes into this folder while it is empty, else into a new empty subfolder `release-export-XXXXXX`;
   * the audit report, an accounting of disclosures and the access report go the same way into `audit-report-XXXXXX`,
   * `accounting-XXXXXX` and `access-report-XXXXXX`;
   * documents.export (authorization forms, extension notices) saves the file here under its neutral suggested name;
   * backup.create makes its backup folder in it the same way, and backup.restore reads the newest backup folder found
   * in it (or one level down), as if staff had chosen it.
   */
  exportDir?: string;
  /** The outbox sender's tick and retry backoff (default: the product's; the e2e uses seconds). */
  queue?: ServicesConfig['queue'];
  /** Run packaging in a worker thread as the desktop app does (the preview: `sourceWorkerEntry()`); default: in-process. */
  packagingWorker?: ServicesConfig['packagingWorker'];
  /**
   * Lock the vault when the browser tab is gone (automatic logoff, 45 CFR 164.312(a)(2)(iii)): the page sends
   * `POST /heartbeat` every `timeoutMs / 4`; when no authorized request came for `timeoutMs` while the vault is
   * unlocked, the host locks it (audited `vault.lock`, reason `preview_tab_gone`). A tab closed normally locks at once
   * (the page sends `vault.lock` on `pagehide`); this covers a killed or crashed tab. Default 120 000 ms (hidden tabs'
   * timers may run only once a minute); `false` turns it off.
   */
  presence?: { timeoutMs: number } | false;
}

export interface Host {
  /** Open this in the browser: it carries the token in the fragment. */
  url: string;
  origin: string;
  token: string;
  services: Services;
  close(): Promise<void>;
}

const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
/** Silence after which a preview tab counts as gone and the vault is locked (see HostOptions.presence). */
export const DEFAULT_PRESENCE_TIMEOUT_MS = 120_000;
const MAX_JSON_BYTES = 1024 * 1024;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Start the host. Resolves once it listens on 127.0.0.1. */
export async function startHost(opts: HostOptions): Promise<Host> {
  const token = randomBytes(32).toString('base64url');
  const staticDir = resolve(opts.staticDir ?? join(__dirname, '..', '..', '.preview-build'));
  // Uploaded files wait here (in memory only, never on disk) until documents.pick takes them.
  let staged: PickedFile[] = [];
  // Files dropped onto the Records step (uploaded with `X-Staging: drop`) wait here until documents.importDropped.
  let dropped: PickedFile[] = [];
  const services = createServices({
    dataDir: opts.dataDir,
    mode: 'preview',
    version: process.env.npm_package_version ?? '0.1.0',
    clock: opts.clock,
    logger: opts.logger,
    smtpCa: opts.smtpCa,
    ...(opts.queue ? { queue: opts.queue } : {}),
    ...(opts.packagingWorker ? { packagingWorker: opts.packagingWorker } : {}),
    filePicker: {
      pick: async () => {
        const files = staged;
        staged = [];
        return files;
      },
      takeDropped: async () => {
        const files = dropped;
        dropped = [];
        return files;
      },
    },
    ...(opts.exportDir !== undefined
      ? {
          folderPicker: { chooseFolder: (purpose?: FolderPurpose) => (purpose === 'restore' ? newestBackupIn(opts.exportDir!) : chooseExportFolder(opts.exportDir!, purpose)) },
          fileSaver: { save: (name: string, bytes: Buffer) => saveIntoFolder(opts.exportDir!, name, bytes) },
        }
      : {}),
  });
  const dispatch = createDispatch(createHandlers(services), services.logger, { onInvalidInput: services.auditInvalidInput });
  services.startQueue();
  services.startPracticeSync();
  // Presence of the browser tab: every authorized request counts; a silent tab locks the vault (see HostOptions.presence).
  const presence = opts.presence === false ? null : { timeoutMs: opts.presence?.timeoutMs ?? DEFAULT_PRESENCE_TIMEOUT_MS };
  let lastSeen = Date.now();
  const seen = () => {
    lastSeen = Date.now();
  };
  let wasUnlocked = false;
  const presenceTimer = presence
    ? setInterval(
        () => {
          const unlocked = services.session.state === 'unlocked';
          if (unlocked && !wasUnlocked) seen(); // silence counts from the unlock on
          wasUnlocked = unlocked;
          if (unlocked && Date.now() - lastSeen > presence.timeoutMs) {
            services.session.lock('preview_tab_gone');
            services.logger.warn('preview.tab_gone_locked', { silentMs: Date.now() - lastSeen });
          }
        },
        Math.max(20, Math.min(5_000, Math.floor(presence.timeoutMs / 8))),
      )
    : null;
  presenceTimer?.unref();
  const sseClients = new Set<ServerResponse>();
  services.events.on((name, payload) => {
    for (const c of sseClients) c.write(`data: ${JSON.stringify({ name, payload })}\n\n`);
  });

  let expectedHost = '';
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: { code: 'INTERNAL', message: 'The preview host failed.' } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    if (req.headers.host !== expectedHost) return void res.writeHead(421).end();
    const url = new URL(req.url ?? '/', `http://${expectedHost}`);

    if (req.method === 'POST' && url.pathname.startsWith('/rpc/')) {
      if (!authorized(req.headers.authorization)) return json(res, 401, { ok: false, error: { code: 'UNAUTHORIZED_SENDER', message: 'Not authorized.' } });
      seen();
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return void res.writeHead(415).end();
      let input: unknown;
      try {
        const body = await readBody(req, MAX_JSON_BYTES);
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch (e) {
        if (e instanceof BodyTooLarge) return tooLarge(res);
        return json(res, 400, { ok: false, error: { code: 'VALIDATION_FAILED', message: 'The request could not be read.' } });
      }
      const channel = safeDecode(url.pathname.slice(5), null);
      if (channel === null) return json(res, 400, { ok: false, error: { code: 'VALIDATION_FAILED', message: 'The request could not be read.' } });
      return json(res, 200, await dispatch(channel, input));
    }

    // The page's heartbeat (platform/preview-bridge.ts): answers when to send the next one.
    if (req.method === 'POST' && url.pathname === '/heartbeat') {
      if (!authorized(req.headers.authorization)) return void res.writeHead(401).end();
      seen();
      req.resume();
      return json(res, 200, { nextInMs: presence ? Math.max(10, Math.floor(presence.timeoutMs / 4)) : null });
    }

    if (req.method === 'POST' && url.pathname === '/upload') {
      if (!authorized(req.headers.authorization)) return void res.writeHead(401).end();
      seen();
      let bytes: Buffer;
      try {
        bytes = await readBody(req, MAX_UPLOAD_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLarge) return tooLarge(res, { code: 'FILE_TOO_LARGE', message: 'This file is too large.' });
        return json(res, 400, { ok: false, error: { code: 'VALIDATION_FAILED', message: 'The upload could not be read.' } });
      }
      const name = safeDecode(String(req.headers['x-file-name'] ?? 'file.pdf')) ?? 'file.pdf';
      (req.headers['x-staging'] === 'drop' ? dropped : staged).push({ name, read: async () => bytes });
      return json(res, 200, { ok: true, value: {} });
    }

    if (req.method === 'GET' && url.pathname === '/events') {
      if (!authorized(`Bearer ${url.searchParams.get('token') ?? ''}`)) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive' });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }

    // Dev preview only: the print-ready packet from the vault for the browser's own viewer/print dialog
    // (Electron prints it with webContents.print instead). Token-guarded; never written to disk.
    if (req.method === 'GET' && url.pathname.startsWith('/printable/')) {
      if (!authorized(`Bearer ${url.searchParams.get('token') ?? ''}`)) return void res.writeHead(401).end();
      try {
        const { pdf } = services.releases.printablePdf(decodeURIComponent(url.pathname.slice('/printable/'.length)));
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'inline', 'content-security-policy': "default-src 'none'" });
        return void res.end(pdf);
      } catch {
        return void res.writeHead(404).end();
      }
    }

    if (req.method === 'GET') return serveStatic(url.pathname, res);
    res.writeHead(405).end();
  }

  function authorized(header: string | undefined): boolean {
    const expected = Buffer.from(`Bearer ${token}`);
    const got = Buffer.from(header ?? '');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  async function serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = normalize(join(staticDir, rel));
    if (!file.startsWith(staticDir + sep)) return void res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  }

  await new Promise<void>((ok) => server.listen(opts.port ?? 0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  expectedHost = `127.0.0.1:${port}`;
  const origin = `http://${expectedHost}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    services,
    close: async () => {
      if (presenceTimer) clearInterval(presenceTimer);
      for (const c of sseClients) c.end();
      await services.stopQueue();
      await services.stopPracticeSync();
      await services.practiceLink.close();
      services.session.lock();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** The name start of the subfolder made for each purpose (named for what it holds). */
const EXPORT_SUBFOLDER: Record<Exclude<FolderPurpose, 'restore'>, string> = {
  export: 'release-export-',
  'audit-report': 'audit-report-',
  accounting: 'accounting-',
  'access-report': 'access-report-',
  backup: 'release-export-',
};

/** The export folder itself while it is empty (a packet needs an empty folder), else a new empty subfolder in it named for `purpose`. */
export async function chooseExportFolder(dir: string, purpose: Exclude<FolderPurpose, 'restore'> = 'export'): Promise<string> {
  const entries = (await readdir(dir)).filter((e) => !e.startsWith('.'));
  return entries.length === 0 ? dir : mkdtemp(join(dir, EXPORT_SUBFOLDER[purpose]));
}

/** The newest `releasedesk-backup-*` folder in `dir` or one level down (names sort by their UTC stamp), or null. */
async function newestBackupIn(dir: string): Promise<string | null> {
  const found: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    if (e.name.startsWith('releasedesk-backup-')) found.push(join(dir, e.name));
    else for (const f of await readdir(join(dir, e.name), { withFileTypes: true })) if (f.isDirectory() && f.name.startsWith('releasedesk-backup-')) found.push(join(dir, e.name, f.name));
  }
  return found.sort((a, b) => basename(a).localeCompare(basename(b))).at(-1) ?? null;
}

/**
 * Saves `bytes` as `dir/<name>` (mode 0600, never overwriting: "name (2).pdf", … when taken). The name is the
 * service's neutral suggestion; only its base name is used.
 * @returns true (saved)
 */
async function saveIntoFolder(dir: string, name: string, bytes: Buffer): Promise<boolean> {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/^\.+/, '') || 'document.pdf';
  const dot = base.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
  for (let n = 1; n < 1000; n++) {
    const file = join(dir, n === 1 ? base : `${stem} (${n})${ext}`);
    let fh;
    try {
      fh = await openFile(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }
  throw new Error('no free file name');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

class BodyTooLarge extends Error {}

/**
 * The request body, at most `limit` bytes. A declared Content-Length above the limit is refused before reading; a
 * body that grows past it stops being kept (the rest is drained, not buffered) so the client gets its 413 answer
 * instead of a reset connection. @throws BodyTooLarge
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((ok, fail) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return fail(new BodyTooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        if (!over) fail(new BodyTooLarge());
        over = true;
        chunks.length = 0;
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!over) ok(Buffer.concat(chunks));
    });
    req.on('error', fail);
  });
}

/** 413 and close the connection after the answer (HTTP Semantics RFC 9110 §15.5.14). */
function tooLarge(res: ServerResponse, error = { code: 'VALIDATION_FAILED', message: 'The request is too large.' }): void {
  res.setHeader('connection', 'close');
  json(res, 413, { ok: false, error });
}

/** decodeURIComponent, or `fallback` for a malformed % escape (e.g. "%E0%A4%A"); at most 255 characters. */
function safeDecode<F extends string | null>(s: string, fallback?: F): string | F {
  try {
    return decodeURIComponent(s).slice(0, 255);
  } catch {
    return (fallback === undefined ? 'file.pdf' : fallback) as F;
  }
}
