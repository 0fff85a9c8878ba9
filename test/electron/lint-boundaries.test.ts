import { ESLint } from 'eslint';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** Rule ids reported when `code` is linted as if it lived at `file`. */
async function rulesFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.map((m) => m.ruleId ?? 'fatal');
}

describe('eslint boundaries (eslint.config.js)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['src/main/services/x/probe.ts', "import { app } from 'electron';\nexport const a = app;\n", true],
    ['src/main/rpc/probe.ts', "import type { IpcMain } from 'electron/main';\nexport type A = IpcMain;\n", true],
    ['src/main/services/x/probe.ts', "import { join } from 'node:path';\nexport const j = join;\n", false],
    ['src/main/electron/probe.ts', "import { app } from 'electron';\nexport const a = app;\n", false],
    ['src/shared/probe.ts', "import { z } from 'zod';\nimport { channels } from './contract';\nexport const x = [z, channels];\n", false],
    ['src/shared/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", true],
    ['src/shared/probe.ts', "import type { Logger } from '../main/services/support/logger';\nexport type L = Logger;\n", true],
    ['src/shared/schemas/probe.ts', "import { z } from 'zod';\nimport { line } from '../text-rules';\nexport const x = [z, line];\n", false],
    ['src/shared/channels/probe.ts', "import type { Logger } from '../../main/services/support/logger';\nexport type L = Logger;\n", true],
    ['src/shared/channels/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", true],
    ['src/renderer/probe.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n", true],
    ['src/renderer/probe.ts', "import { readFileSync } from 'fs';\nexport const r = readFileSync;\n", true],
    ['src/renderer/probe.ts', "import { join } from 'node:path';\nexport const j = join;\n", true],
    ['src/renderer/features/x/probe.ts', "import { Session } from '../../../main/services/session';\nexport const s = Session;\n", true],
    ['src/renderer/probe.ts', "import { buildApi } from '../preload/preload';\nexport const b = buildApi;\n", true],
    ['src/renderer/probe.ts', "import { channels } from '../shared/contract';\nimport { defineStore } from './lib/stores';\nexport const c = [channels, defineStore];\n", false],
    // Stores only through defineStore (so resetAllStores empties every one at lock); lib/stores.ts is the exception.
    ['src/renderer/features/x/probe.ts', "import { create } from 'zustand';\nexport const c = create;\n", true],
    ['src/renderer/probe.ts', "import { createStore } from 'zustand/vanilla';\nexport const c = createStore;\n", true],
    ['src/renderer/features/x/probe.ts', "import { useShallow } from 'zustand/react/shallow';\nexport const u = useShallow;\n", false],
    ['src/renderer/lib/stores.ts', "import { create } from 'zustand';\nexport const c = create;\n", false],
    ['src/preload/probe.ts', "import { ipcRenderer } from 'electron';\nimport { ipcChannel } from '../shared/contract';\nexport const i = [ipcRenderer, ipcChannel];\n", false],
    ['src/preload/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", true],
    ['src/preload/probe.ts', "import { Session } from '../main/services/session';\nexport const s = Session;\n", true],
    // Services never reach up into the channel layer or the Electron host.
    ['src/main/services/x/probe.ts', "import { createHandlers } from '../../rpc/handlers';\nexport const h = createHandlers;\n", true],
    ['src/main/services/x/probe.ts', "import { registerIpc } from '../../electron/ipc';\nexport const r = registerIpc;\n", true],
    ['src/main/services/x/probe.ts', "import { openVault } from '../vault/vault';\nexport const o = openVault;\n", false],
    ['src/main/rpc/probe.ts', "import type { Services } from '../services';\nexport type S = Services;\n", false],
    // The renderer never bundles a main-process library.
    ...['better-sqlite3-multiple-ciphers', 'argon2', 'openpgp', 'nodemailer', 'pdf-lib', '@cantoo/pdf-lib', 'imapflow', 'mailparser', 'pdfjs-dist', '@peculiar/x509'].map(
      (name): [string, string, boolean] => ['src/renderer/features/x/probe.ts', `import * as m from '${name}';\nexport const x = m;\n`, true],
    ),
    ['src/renderer/probe.ts', "import { readKey } from 'openpgp/lightweight';\nexport const r = readKey;\n", true],
    ['src/renderer/probe.ts', "import { Vault } from '../main/services/vault/vault';\nexport const v = Vault;\n", true],
    ['src/renderer/probe.ts', "import { Button } from '@mantine/core';\nexport const b = Button;\n", false],
  ];
  for (const [file, code, restricted] of cases) {
    it(`${restricted ? 'refuses' : 'allows'} in ${file}: ${code.split('\n')[0]}`, async () => {
      const rules = await rulesFor(file, code);
      expect(rules.includes('no-restricted-imports')).toBe(restricted);
      expect(rules).not.toContain('fatal');
    });
  }

  it('forbids console in main and preload, not in tests', async () => {
    expect(await rulesFor('src/main/electron/probe.ts', 'console.log("x");\n')).toContain('no-console');
    expect(await rulesFor('src/preload/probe.ts', 'console.log("x");\n')).toContain('no-console');
    expect(await rulesFor('test/electron/probe.test.ts', 'console.log("x");\n')).not.toContain('no-console');
  });
});
