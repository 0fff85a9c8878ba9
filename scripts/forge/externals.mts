/**
 * Module ids the main and preload bundles leave to run-time `require`
 * (shared by vite.main.config.mts, vite.preload.config.mts and the tests).
 */
import { builtinModules } from 'node:module';
import { EXTERNAL_PACKAGES } from './native-modules.mts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Electron and every Node built-in, bare and `node:`-prefixed. */
export const ELECTRON_AND_NODE_BUILTINS: (string | RegExp)[] = ['electron', /^electron\//, ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Main bundle externals: Electron, Node built-ins, and the native/wasm packages copied by packageAfterCopy (with subpaths). */
export const MAIN_EXTERNALS: (string | RegExp)[] = [...ELECTRON_AND_NODE_BUILTINS, ...EXTERNAL_PACKAGES.map((p) => new RegExp(`^${escape(p)}(/.*)?$`))];

/** Preload bundle externals: Electron and Node built-ins only (a sandboxed preload can require nothing else). */
export const PRELOAD_EXTERNALS: (string | RegExp)[] = ELECTRON_AND_NODE_BUILTINS;

/**
 * `import.meta` replacements for the CommonJS main bundle. Rolldown otherwise
 * replaces `import.meta` with `{}` in CJS output, so ESM packages doing
 * `createRequire(import.meta.url)` (openpgp, our qpdf wrapper) would throw at
 * startup ("The argument 'filename' must be a file URL object...").
 */
export const CJS_IMPORT_META_DEFINE: Record<string, string> = {
  'import.meta.url': 'require("node:url").pathToFileURL(__filename).href',
  'import.meta.filename': '__filename',
  'import.meta.dirname': '__dirname',
};
