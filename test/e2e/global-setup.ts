import { execFileSync } from 'node:child_process';

/** Builds the preview renderer once (into .preview-build/, served by the test host). */
export default function globalSetup(): void {
  execFileSync('npm', ['run', 'build:renderer', '--silent'], { stdio: 'inherit', cwd: process.cwd() });
}
