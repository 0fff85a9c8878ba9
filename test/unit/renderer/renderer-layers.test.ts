/**
 * The renderer's layers import downward only: app/ (the shell) may import features/, components/ and lib/;
 * features/ may import components/ and lib/ (and their own or another feature's modules); components/ and lib/
 * never import features/ or app/. Navigation and session state live in lib/navigation.ts for that reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..', 'src', 'renderer');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** Renderer-relative targets of the relative imports of `file` (e.g. "lib/navigation"). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => relative(ROOT, resolve(dirname(file), m[1]!)));
}

const layerOf = (p: string) => p.split(/[\\/]/)[0]!;

describe('renderer layers', () => {
  it('features, components and lib never import from app/ (no upward imports)', () => {
    const offenders = filesUnder(ROOT)
      .map((f) => relative(ROOT, f))
      .filter((f) => ['features', 'components', 'lib'].includes(layerOf(f)))
      .flatMap((f) => importsOf(join(ROOT, f)).filter((t) => layerOf(t) === 'app').map((t) => `${f} -> ${t}`));
    expect(offenders).toEqual([]);
  });

  it('components and lib never import from features/', () => {
    const offenders = filesUnder(ROOT)
      .map((f) => relative(ROOT, f))
      .filter((f) => ['components', 'lib'].includes(layerOf(f)))
      .flatMap((f) => importsOf(join(ROOT, f)).filter((t) => layerOf(t) === 'features').map((t) => `${f} -> ${t}`));
    expect(offenders).toEqual([]);
  });
});
