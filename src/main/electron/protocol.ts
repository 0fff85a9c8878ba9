/**
 * The privileged `app://` scheme that serves the built renderer.
 *
 * Loading the UI from a custom standard, secure scheme (instead of file://)
 * gives it a real origin (`app://releasedesk`) that the IPC sender check can
 * pin, keeps file:// privileges out of reach (FusesPlugin also turns off
 * GrantFileProtocolExtraPrivileges), and lets us attach a strict CSP to every
 * response (Electron security checklist items 7 and 18, docs/tutorial/security.md).
 */
import { protocol, type CustomScheme, type Session } from 'electron';
import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'releasedesk';
/** Origin of the packaged UI as `protocol//host` (WHATWG gives custom schemes an opaque origin, so compare this form). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** URL the main window loads in production. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The Content-Security-Policy of every app:// response (W3C CSP Level 3):
 * only our own scripts, no plugins, no <base>, no form posts, no framing.
 * Inline styles are allowed for the UI library's runtime style tags.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The CSP for `electron-forge start` only (Vite dev server on localhost, never
 * packaged): identical except that script-src also allows the inline module
 * script @vitejs/plugin-react injects for React Fast Refresh. Vite's HMR
 * websocket is same-origin, which `connect-src 'self'` already covers.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");

/** The scheme's privileges: standard (real origin, relative URLs), secure context, fetch; no CORS bypass, no service workers. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, stream: false },
};

/**
 * Register `app://` as privileged. Must run before `app` emits 'ready'
 * (Electron: protocol.registerSchemesAsPrivileged can only be called once, before ready).
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/** Security headers on every app:// response, errors included. */
export function securityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

function refuse(status: 400 | 403 | 404 | 405): Response {
  return new Response(null, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}

/** True when `child` (absolute, resolved) is `root` itself or inside it. */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The request handler behind `app://`: maps `app://releasedesk/<path>` to
 * `<rootDir>/<path>` (`/` -> `/index.html`) and answers with the file and
 * {@link securityHeaders}.
 *
 * Refuses, without touching the disk outside `rootDir`: another host (404),
 * a method other than GET/HEAD (405), a malformed escape or a NUL byte (400),
 * any path that resolves outside `rootDir` — `..` after percent-decoding
 * (`..%2f`), absolute paths, or a symlink pointing out (403); a missing file
 * or a directory is 404.
 *
 * @param rootDir the Vite renderer output, e.g. `.vite/renderer/main_window`
 */
export function createAppProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  const root = resolve(rootDir);
  let realRoot: string | null = null;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return refuse(400);
    }
    if (path.includes('\0')) return refuse(400);
    if (path === '' || path === '/') path = '/index.html';
    const target = resolve(root, '.' + (path.startsWith('/') ? path : '/' + path));
    if (!isInside(root, target)) return refuse(403);
    try {
      realRoot ??= await realpath(root);
      const real = await realpath(target);
      if (!isInside(realRoot, real)) return refuse(403);
      if (!(await stat(real)).isFile()) return refuse(404);
      const type = MIME[extname(real).toLowerCase()] ?? 'application/octet-stream';
      const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(real));
      return new Response(body, { status: 200, headers: securityHeaders(type) });
    } catch {
      return refuse(404);
    }
  };
}

/** Serve `app://` from `rootDir` on `session` (call after 'ready'). */
export function installAppProtocol(session: Session, rootDir: string): void {
  session.protocol.handle(APP_SCHEME, createAppProtocolHandler(rootDir));
}
