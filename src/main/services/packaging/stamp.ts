/**
 * Stamps drawn on every page (release number, "page n of N", "part k of n"), upright
 * as the reader sees the page whatever its /Rotate (ISO 32000-1 §7.7.3.3: /Rotate turns
 * the page clockwise for display) and inside its crop box.
 */
import type { PDFPage } from 'pdf-lib';
import { type FontSet, textWidth } from './fonts';
import { PageContent } from './page-content';

/** The page as displayed: its width and height in points and a map from display to user coordinates. */
export interface VisualFrame {
  width: number;
  height: number;
  rotation: 0 | 90 | 180 | 270;
  toUser(vx: number, vy: number): [number, number];
}

/** The displayed frame of `page` (crop box turned by /Rotate). */
export function visualFrame(page: PDFPage): VisualFrame {
  const { x: bx, y: by, width: W, height: H } = page.getCropBox();
  const r = ((((page.getRotation().angle ?? 0) % 360) + 360) % 360) as number;
  const rotation = (Math.round(r / 90) * 90) % 360 as 0 | 90 | 180 | 270;
  switch (rotation) {
    case 90:
      return { width: H, height: W, rotation, toUser: (vx, vy) => [bx + W - vy, by + vx] };
    case 180:
      return { width: W, height: H, rotation, toUser: (vx, vy) => [bx + W - vx, by + H - vy] };
    case 270:
      return { width: H, height: W, rotation, toUser: (vx, vy) => [bx + vy, by + H - vx] };
    default:
      return { width: W, height: H, rotation: 0, toUser: (vx, vy) => [bx + vx, by + vy] };
  }
}

/** Size of stamp text, in points. */
export const STAMP_FONT_SIZE = 8;

/**
 * Draw `text` centred at the bottom (or top) edge of the displayed page, on a white band
 * so it stays legible over scanned content.
 *
 * The stamp is one small content stream of its own (page-content.ts), after the page's own content: a white
 * rectangle (`re f`), then the text in the bold packet font, shown with `Tj` in the font's Identity-H encoding
 * (ISO 32000-1 §8.5.3, §9.4).
 *
 * @param page a page of the document whose `fonts` were embedded
 * @param text the stamp (any script: characters the bold font lacks are drawn with a fallback, as fonts.ts `runs` picks)
 */
export function stampPage(page: PDFPage, text: string, fonts: FontSet, edge: 'bottom' | 'top' = 'bottom'): void {
  const f = visualFrame(page);
  const size = STAMP_FONT_SIZE;
  const w = textWidth(text, size, fonts, true);
  const pad = 3;
  const vx = Math.max(pad, (f.width - w) / 2);
  const vy = edge === 'bottom' ? 12 : f.height - 12 - size;
  const content = new PageContent(page, fonts);
  const [rx, ry] = f.toUser(vx - pad, vy - pad - 1);
  content.fillRect(rx, ry, w + 2 * pad, size + 2 * pad + 1, [1, 1, 1], f.rotation);
  const [tx, ty] = f.toUser(vx, vy);
  content.text(text, { x: tx, y: ty, size, bold: true, rotate: f.rotation });
  content.finish();
}
