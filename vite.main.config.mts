import { defineConfig } from 'vite';
import { CJS_IMPORT_META_DEFINE, MAIN_EXTERNALS } from './scripts/forge/externals.mts';

/**
 * Main process build. Forge's Vite plugin merges this into its own SSR/library
 * config: entry src/main/electron/main.ts -> .vite/build/main.js (CommonJS).
 *
 * External (run-time `require`, not bundled): Electron, every Node built-in,
 * better-sqlite3-multiple-ciphers and argon2 (native) and qpdf-wasm (loads its
 * .wasm from its package folder); forge.config.ts copies those into the app.
 */
export default defineConfig({
  define: CJS_IMPORT_META_DEFINE,
  build: {
    sourcemap: false,
    rollupOptions: { external: MAIN_EXTERNALS },
  },
  resolve: {
    // Load packages' Node entry points, never their browser builds.
    conditions: ['node'],
    mainFields: ['module', 'jsnext:main', 'jsnext'],
  },
});
