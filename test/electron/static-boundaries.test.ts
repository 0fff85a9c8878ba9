import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(abs, e);
    if (statSync(p).isDirectory()) return sourceFiles(relative(ROOT, p));
    return /\.(ts|tsx|js|mjs|cjs)$/.test(e) ? [p] : [];
  });
}

const ELECTRON_IMPORT = /(from\s*['"]electron(\/[^'"]*)?['"])|(require\(\s*['"]electron(\/[^'"]*)?['"]\s*\))|(import\(\s*['"]electron(\/[^'"]*)?['"]\s*\))|(^\s*import\s+['"]electron['"])/m;

const INSECURE = [
  /nodeIntegration\s*:\s*true/,
  /nodeIntegrationInSubFrames\s*:\s*true/,
  /nodeIntegrationInWorker\s*:\s*true/,
  /contextIsolation\s*:\s*false/,
  /sandbox\s*:\s*false/,
  /webSecurity\s*:\s*false/,
  /allowRunningInsecureContent\s*:\s*true/,
  /webviewTag\s*:\s*true/,
  /experimentalFeatures\s*:\s*true/,
  /rejectUnauthorized\s*:\s*false/,
  /ignoreTLS\s*:\s*true/,
  /NODE_TLS_REJECT_UNAUTHORIZED/,
];

describe('static boundaries', () => {
  it('finds the files it scans (the scan is not vacuous)', () => {
    expect(sourceFiles('src/main/services').length).toBeGreaterThan(5);
    expect(sourceFiles('src/shared').length).toBeGreaterThan(1);
    expect(sourceFiles('src/main/electron').some((f) => ELECTRON_IMPORT.test(readFileSync(f, 'utf8')))).toBe(true);
  });

  it("no file in src/main/services, src/main/rpc, src/shared or src/renderer imports or requires 'electron'", () => {
    const hits = ['src/main/services', 'src/main/rpc', 'src/shared', 'src/renderer']
      .flatMap(sourceFiles)
      .filter((f) => ELECTRON_IMPORT.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(hits).toEqual([]);
  });

  it('the pattern catches every import form', () => {
    for (const s of ["import { app } from 'electron';", 'import type { App } from "electron"', "const e = require('electron')", "await import('electron/main')", "import 'electron';"]) {
      expect(ELECTRON_IMPORT.test(s), s).toBe(true);
    }
    expect(ELECTRON_IMPORT.test("import x from 'electron-squirrel-startup'")).toBe(false);
  });

  it('no insecure Electron or TLS setting anywhere in src', () => {
    const hits: string[] = [];
    for (const f of sourceFiles('src')) {
      const text = readFileSync(f, 'utf8');
      for (const re of INSECURE) if (re.test(text)) hits.push(`${relative(ROOT, f)}: ${re.source}`);
    }
    expect(hits).toEqual([]);
  });
});
