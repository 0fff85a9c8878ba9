#!/usr/bin/env node
/**
 * `npm test`: every suite in order — lint, typecheck, vitest (unit, contract,
 * Electron glue), Playwright (the real UI in Chromium through the test host) —
 * then ONE closing line totalling them all: "N passed, N failed".
 * Lint and typecheck count as one check each. Exit code is non-zero if anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
let passed = 0;
let failed = 0;
const lines = [];

function run(cmd, args, env = {}) {
  process.stdout.write(`\n=== ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function check(name, cmd, args) {
  const ok = run(cmd, args) === 0;
  if (ok) passed++;
  else failed++;
  lines.push(`${name}: ${ok ? 'passed' : 'FAILED'}`);
}

check('lint', 'npx', ['eslint', '.']);
check('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);

const vitestJson = 'test-results/vitest.json';
rmSync(vitestJson, { force: true });
const vStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numRuntimeErrorTestSuites ?? 0) + (v.numFailedTestSuites && !v.numFailedTests ? v.numFailedTestSuites : 0);
  lines.push(`vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed, ${v.numPendingTests + v.numTodoTests} skipped`);
} else {
  failed++;
  lines.push(`vitest: no report (exit ${vStatus})`);
}
if (vStatus !== 0 && existsSync(vitestJson) && JSON.parse(readFileSync(vitestJson, 'utf8')).numFailedTests === 0) {
  failed++;
  lines.push(`vitest: exited ${vStatus} without a failed test (suite error)`);
}

const pwJson = 'test-results/e2e.json';
rmSync(pwJson, { force: true });
const pStatus = run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
if (existsSync(pwJson)) {
  const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
  const ok = (s.expected ?? 0) + (s.flaky ?? 0);
  const bad = (s.unexpected ?? 0);
  passed += ok;
  failed += bad;
  lines.push(`playwright: ${ok} passed, ${bad} failed, ${s.skipped ?? 0} skipped`);
  if (pStatus !== 0 && bad === 0) {
    failed++;
    lines.push(`playwright: exited ${pStatus} without a failed test (setup error)`);
  }
} else {
  failed++;
  lines.push(`playwright: no report (exit ${pStatus})`);
}

process.stdout.write(`\n=== Summary\n${lines.join('\n')}\n\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
