import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerDMG } from '@electron-forge/maker-dmg';
import { MakerSquirrel } from '@electron-forge/maker-squirrel';
import { MakerZIP } from '@electron-forge/maker-zip';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { copyPackagedNodeModules } from './scripts/forge/native-modules.mts';

/**
 * Electron Forge 7 configuration (shape: electron/forge packages/template/vite-typescript).
 *
 * - Vite builds main (src/main/electron/main.ts -> .vite/build/main.js), the packaging
 *   worker thread (src/main/services/packaging/packaging-worker.ts -> .vite/build/packaging-worker.js,
 *   started by the main bundle with builtWorkerEntry(__dirname)), the
 *   sandboxed preload (src/preload/preload.ts -> .vite/build/preload.js) and the
 *   renderer `main_window` (served from app:// in production).
 * - Forge's Vite plugin packages only `.vite/`; the native modules and qpdf-wasm
 *   are external to the main bundle, so `packageAfterCopy` copies them (and their
 *   runtime dependencies) into the app; Forge then rebuilds them for Electron.
 *   `*.node` files are unpacked from the asar (a native module cannot load from inside it).
 * - `assets/` (fonts for generated PDFs) ships as an extra resource:
 *   `process.resourcesPath/assets` in the packaged app.
 * - Fuses (docs/tutorial/fuses.md) turn off run-as-node, NODE_OPTIONS, --inspect
 *   and file:// extra privileges, encrypt cookies, and only load the app from an
 *   integrity-checked asar.
 */
const config: ForgeConfig = {
  packagerConfig: {
    name: 'ReleaseDesk',
    executableName: 'releasedesk',
    appBundleId: 'com.releasedesk.app',
    asar: { unpack: '**/*.node' },
    extraResource: ['assets'],
  },
  rebuildConfig: {
    onlyModules: ['better-sqlite3-multiple-ciphers'],
    force: true,
  },
  makers: [
    new MakerSquirrel({ name: 'ReleaseDesk' }),
    new MakerZIP({}, ['darwin', 'linux', 'win32']),
    new MakerDMG({ format: 'ULFO' }),
    new MakerDeb({ options: { name: 'releasedesk', productName: 'ReleaseDesk', bin: 'releasedesk', categories: ['Office'], section: 'misc' } }),
  ],
  hooks: {
    packageAfterCopy: async (_forgeConfig, buildPath) => {
      copyPackagedNodeModules(__dirname, buildPath);
    },
  },
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'src/main/electron/main.ts', config: 'vite.main.config.mts', target: 'main' },
        // The packaging worker thread (node:worker_threads): its own bundle, .vite/build/packaging-worker.js, beside main.js.
        { entry: 'src/main/services/packaging/packaging-worker.ts', config: 'vite.main.config.mts', target: 'main' },
        { entry: 'src/preload/preload.ts', config: 'vite.preload.config.mts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.mts' }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    }),
  ],
};

export default config;
