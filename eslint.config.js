// @ts-check
/**
 * ESLint flat config (ESLint 10, typescript-eslint 8, react-hooks 7).
 *
 * Type-free rules only (fast). The architecture's boundaries are enforced with
 * `no-restricted-imports` per folder (docs: /work/shared/docs/architecture.md):
 *   src/shared            -> zod and sibling shared files only
 *   src/main/services,rpc -> never 'electron' (it is only available inside Electron; plain Node tries to download it)
 *   src/main/services     -> also never src/main/rpc or src/main/electron (handlers call services, not the reverse)
 *   src/renderer          -> never electron, Node built-ins, main-process libraries (MAIN_PROCESS_LIBRARIES: the vault
 *                            module, argon2, openpgp, nodemailer, pdf-lib, ...), src/main or src/preload
 *   src/preload           -> electron and src/shared only
 * plus `no-console` in main and preload (console output can leak PHI to terminals and crash reports).
 * test/electron/static-boundaries.test.ts double-checks the electron rule (also for require()).
 */
const { builtinModules } = require('node:module');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const reactHooks = require('eslint-plugin-react-hooks');
const globals = require('globals');

const NO_ELECTRON = {
  paths: [{ name: 'electron', message: "Only src/main/electron/ may import 'electron'. Services stay plain Node." }],
  patterns: [{ group: ['electron/*'], message: "Only src/main/electron/ may import 'electron'." }],
};

/** Services are plain units: never electron, and never the layers above them (rpc/ adapts channels, electron/ hosts). */
const SERVICE_IMPORTS = {
  paths: NO_ELECTRON.paths,
  patterns: [
    ...NO_ELECTRON.patterns,
    { regex: '(^|/)(rpc|electron)(/|$)', message: 'Services may not import src/main/rpc or src/main/electron: handlers call services, not the other way round.' },
  ],
};

/**
 * Libraries that belong to the main process (native modules, crypto, mail, PDF, file parsing): the renderer never
 * bundles them; it asks main through window.api.
 */
const MAIN_PROCESS_LIBRARIES = [
  'better-sqlite3-multiple-ciphers',
  'argon2',
  'openpgp',
  '@openpgp/web-stream-tools',
  'nodemailer',
  'imapflow',
  'mailparser',
  'smtp-server',
  'pdf-lib',
  '@cantoo/pdf-lib',
  '@pdf-lib/fontkit',
  '@neslinesli93/qpdf-wasm',
  'pdfjs-dist',
  '@napi-rs/canvas',
  '@peculiar/x509',
  'pkijs',
  'asn1js',
  'otpauth',
  'validator',
  '@zootools/email-spell-checker',
  '@zxcvbn-ts/core',
  'exifr',
  'utif2',
  'luxon',
  'reflect-metadata',
];

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

module.exports = tseslint.config(
  { ignores: ['node_modules/**', '.vite/**', 'out/**', '.preview-build/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // Control characters are matched on purpose: to refuse CR/LF and NUL in anything that may reach a mail header (RFC 5322 §2.2).
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs', 'eslint.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/shared/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', sharedImports('^(?!zod$|zod/|\\./)')] },
  },
  {
    // src/shared/schemas/, src/shared/channels/: one level down, so `../` still stays inside src/shared.
    files: ['src/shared/*/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', sharedImports('^(?!zod$|zod/|\\./|\\.\\./(?!\\.\\.))')] },
  },
  {
    files: ['src/main/rpc/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', NO_ELECTRON] },
  },
  {
    files: ['src/main/services/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', SERVICE_IMPORTS] },
  },
  {
    files: ['src/main/**/*.{ts,tsx}', 'src/preload/**/*.{ts,tsx}'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/preload/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!electron$|\\.\\./shared/|\\./)',
              message: 'The preload may import only electron and src/shared (it is bundled and runs sandboxed).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', rendererImports({ storesOnlyThroughRegistry: true })] },
  },
  {
    // The store registry is the one place that may call zustand's create (lib/stores.ts: resetAllStores at lock).
    files: ['src/renderer/lib/stores.ts'],
    rules: { 'no-restricted-imports': ['error', rendererImports({ storesOnlyThroughRegistry: false })] },
  },
);

/** src/shared imports only zod and files inside src/shared: `allowed` is a regex that matches every other path. */
function sharedImports(allowed) {
  return { patterns: [{ regex: allowed, message: 'src/shared is pure TypeScript + zod: import only zod and sibling files in src/shared.' }] };
}

/** The renderer's import boundaries; with `storesOnlyThroughRegistry`, zustand stores only through defineStore. */
function rendererImports({ storesOnlyThroughRegistry }) {
  return {
    paths: [
      { name: 'electron', message: 'The renderer talks to main only through window.api.' },
      ...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a browser sandbox: no Node built-ins.' })),
      ...(storesOnlyThroughRegistry
        ? [
            {
              name: 'zustand',
              importNames: ['create', 'createStore'],
              message: 'Make stores with defineStore (src/renderer/lib/stores.ts) so locking empties them (resetAllStores).',
            },
            { name: 'zustand/vanilla', message: 'Make stores with defineStore (src/renderer/lib/stores.ts).' },
          ]
        : []),
    ],
    patterns: [
      { group: ['electron/*', 'node:*'], message: 'The renderer may not import electron or Node built-ins.' },
      {
        group: MAIN_PROCESS_LIBRARIES.flatMap((name) => [name, `${name}/*`]),
        message: 'A main-process library: the renderer asks main through window.api instead.',
      },
      { regex: '(^|/)vault(/|$)', message: 'The vault is main-process only.' },
      {
        regex: '(^|/)(src/)?(main|preload)(/|$)',
        message: 'The renderer may not import from src/main or src/preload; use src/shared types and window.api.',
      },
    ],
  };
}
