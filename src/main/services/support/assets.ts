import { join, resolve } from 'node:path';

/** The font files shipped in `assets/fonts/` (DejaVu Sans, Bitstream Vera license: assets/fonts/LICENSE-DejaVu.txt). */
export type FontName = 'DejaVuSans.ttf' | 'DejaVuSans-Bold.ttf';

/**
 * Absolute path of a bundled font.
 *
 * @param name file name inside `<assetsRoot>/fonts/`
 * @param assetsRoot the assets directory; defaults to `<process.cwd()>/assets`
 *   (the repo root in development and tests; the packaged app passes its resources path)
 * @returns an absolute file path (existence is not checked here; reading it throws ENOENT if missing)
 */
export function fontPath(name: FontName, assetsRoot: string = join(process.cwd(), 'assets')): string {
  return resolve(assetsRoot, 'fonts', name);
}
