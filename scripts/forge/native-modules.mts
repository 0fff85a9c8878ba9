/**
 * Runtime packages the Vite build leaves external and the packaged app must
 * still contain. Forge's Vite plugin packages only `.vite/`, so without the
 * `packageAfterCopy` hook in forge.config.ts these would be missing from the
 * packaged app's node_modules (docs: /work/shared/docs/toolchain.md, Electron).
 *
 * Listed by hand, with their runtime dependency closure, because the native
 * modules' install-time dependencies (prebuild-install and its tree,
 * node-addon-api headers, cross-env) must not be shipped.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Externals of vite.main.config.mts that are real packages (not Electron, not Node built-ins). */
export const EXTERNAL_PACKAGES = [
  // Native (N-API / node-gyp) modules: cannot be bundled.
  'better-sqlite3-multiple-ciphers',
  'argon2',
  // Loads its .wasm next to its own files with require.resolve at run time.
  '@neslinesli93/qpdf-wasm',
  // PDF.js (patient check, page preview): ESM that loads its worker and standard_fonts/ from its own folder.
  'pdfjs-dist',
  // PDF.js's Node canvas (N-API, prebuilt per platform in @napi-rs/canvas-<platform> optional packages).
  '@napi-rs/canvas',
] as const;

/** The installed platform binary packages of @napi-rs/canvas (only the current platform's is installed). */
function canvasPlatformPackages(): string[] {
  try {
    const dir = join(process.cwd(), 'node_modules', '@napi-rs');
    return readdirSync(dir)
      .filter((n) => n.startsWith('canvas-'))
      .map((n) => `@napi-rs/${n}`);
  } catch {
    return [];
  }
}

/** Everything copied into the packaged app's node_modules: the externals plus their runtime dependencies. */
export const PACKAGED_NODE_MODULES = [
  ...EXTERNAL_PACKAGES,
  'bindings', // better-sqlite3-multiple-ciphers -> require('bindings')('better_sqlite3.node')
  'file-uri-to-path', // bindings
  '@phc/format', // argon2
  'node-gyp-build', // argon2 (loads prebuilds/<platform>-<arch>/*.node)
  ...canvasPlatformPackages(), // @napi-rs/canvas -> @napi-rs/canvas-<platform>-<arch>[-<libc>]
];

/** Declared dependencies of the externals that are needed only to install or build them, never at run time. */
export const BUILD_ONLY_DEPENDENCIES = ['prebuild-install', 'node-addon-api', 'cross-env'] as const;

/**
 * Copy {@link PACKAGED_NODE_MODULES} from `<projectDir>/node_modules` to
 * `<buildPath>/node_modules` (Forge `packageAfterCopy` hook; it runs before
 * Forge's native rebuild, which then rebuilds better-sqlite3-multiple-ciphers
 * for Electron's ABI inside `buildPath`). `.bin` folders and build
 * intermediates (`build/Release/obj*`, `*.o`) are skipped.
 * @throws Error naming the package if one is not installed
 */
export function copyPackagedNodeModules(projectDir: string, buildPath: string, names: readonly string[] = PACKAGED_NODE_MODULES): void {
  for (const name of names) {
    const from = join(projectDir, 'node_modules', name);
    if (!existsSync(join(from, 'package.json'))) throw new Error(`packageAfterCopy: ${name} is not installed in ${projectDir}/node_modules`);
    const to = join(buildPath, 'node_modules', name);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, {
      recursive: true,
      dereference: true,
      filter: (src) => !/[\\/]\.bin([\\/]|$)/.test(src) && !/[\\/]build[\\/]Release[\\/]obj(\.target)?([\\/]|$)/.test(src) && !src.endsWith('.o'),
    });
  }
}

/** The `dependencies` of an installed package (names only). */
export function runtimeDependenciesOf(projectDir: string, name: string): string[] {
  const pj = JSON.parse(readFileSync(join(projectDir, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(pj.dependencies ?? {});
}
