import { execFileSync } from 'node:child_process';

/**
 * True when the external command `name` is on PATH.
 *
 * When it is missing: throws in CI (`process.env.CI` set) so a missing tool can
 * never turn a test green, and locally returns false after a loud console
 * warning so the caller can skip with a reason.
 */
export function requireTool(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    const msg = `required external tool "${name}" is not installed`;
    if (process.env.CI) throw new Error(`${msg} (CI: failing instead of skipping)`);
    console.warn(`\n*** SKIPPING: ${msg}. Install it to run this test. ***\n`);
    return false;
  }
}
