import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Renderer build (React + Mantine).
 *
 * - `--mode preview` (npm run build:renderer) builds the browser preview served by
 *   the 127.0.0.1 test host: `__PREVIEW__` is true and the HTTP preview bridge is
 *   bundled as a lazy chunk.
 * - Any other mode (Electron Forge) sets `__PREVIEW__` to false, so the bridge is
 *   dead code and tree-shaken out of the packaged app.
 * - `base: './'` keeps asset URLs relative, for app:// in Electron and the host alike.
 */
export default defineConfig(({ mode }) => ({
  base: './',
  plugins: [react()],
  define: { __PREVIEW__: JSON.stringify(mode === 'preview') },
  build: {
    emptyOutDir: true,
    sourcemap: false,
    // The CSP forbids inline scripts; keep every asset a file.
    assetsInlineLimit: 0,
  },
}));
