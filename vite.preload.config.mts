import { defineConfig, type Plugin } from 'vite';
import { PRELOAD_EXTERNALS } from './scripts/forge/externals.mts';

/**
 * Forge's preload config asks for one file with Rollup's `output.inlineDynamicImports`, which Vite 8's bundler
 * (Rolldown) still honours but warns is deprecated on every build; this asks for the same with `codeSplitting: false`.
 */
const oneFileWithoutDeprecatedOption: Plugin = {
  name: 'releasedesk:preload-one-file',
  config(config) {
    const output = config.build?.rollupOptions?.output;
    if (!output || Array.isArray(output) || !('inlineDynamicImports' in output)) return;
    const { inlineDynamicImports, ...rest } = output;
    config.build!.rollupOptions!.output = { ...rest, ...(inlineDynamicImports ? { codeSplitting: false } : {}) };
  },
};

/**
 * Preload build. Forge's Vite plugin merges this into its own config:
 * entry src/preload/preload.ts -> .vite/build/preload.js, CommonJS, one file.
 *
 * The preload runs sandboxed and can `require` only 'electron', so the
 * contract (and zod) are bundled in. Electron and Node built-ins stay external.
 */
export default defineConfig({
  plugins: [oneFileWithoutDeprecatedOption],
  build: {
    sourcemap: false,
    rollupOptions: { external: PRELOAD_EXTERNALS },
  },
});
