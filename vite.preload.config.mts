import { defineConfig } from 'vite';
import { PRELOAD_EXTERNALS } from './scripts/forge/externals';

/**
 * Preload build. Forge's Vite plugin merges this into its own config:
 * entry src/preload/preload.ts -> .vite/build/preload.js, CommonJS, one file.
 *
 * The preload runs sandboxed and can `require` only 'electron', so the
 * contract (and zod) are bundled in. Electron and Node built-ins stay external.
 */
export default defineConfig({
  build: {
    sourcemap: false,
    rollupOptions: { external: PRELOAD_EXTERNALS },
  },
});
