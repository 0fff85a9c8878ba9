/**
 * Record files as practices receive them, made by the real tools into a temp folder:
 * phone photos with GPS EXIF (ImageMagick + exiftool), multi-page fax TIFFs at 204 x 98 dpi
 * (ImageMagick + tiffcp), owner-restricted and user-password PDFs (qpdf). All content synthetic.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflate, crc32 } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';

export const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export function workDir(): { dir: string; path: (n: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rd-inputs-'));
  return { dir, path: (n) => join(dir, n), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A JPEG photo (800 x 600) with GPS position, camera make/model, an XMP title, a comment and EXIF orientation `orientation`. */
export function gpsPhoto(dir: string, name = 'photo.jpg', orientation = 1): Buffer {
  const p = join(dir, name);
  sh('convert', ['-size', '800x600', 'gradient:#3060a0-#f0e0c0', '-fill', 'black', '-pointsize', '48', '-draw', "text 60,120 'SYNTHETIC WOUND PHOTO'", '-quality', '85', p]);
  sh('exiftool', [
    '-q',
    '-overwrite_original',
    '-GPSLatitude=40.712776',
    '-GPSLatitudeRef=N',
    '-GPSLongitude=74.005974',
    '-GPSLongitudeRef=W',
    '-Make=Testcam',
    '-Model=Synthphone 9',
    '-SerialNumber=SN-0042-SYNTH',
    '-XMP-dc:Title=Synthetic patient photo',
    '-Comment=synthetic comment',
    `-Orientation#=${orientation}`,
    p,
  ]);
  return readFileSync(p);
}

/** A `pages`-page bilevel fax TIFF, CCITT Group 4, 1728 x 1100 px at 204 x 98 dpi, each page saying "FAX PAGE n". */
export function faxTiff(dir: string, pages = 3, compress = 'Group4'): Buffer {
  const parts: string[] = [];
  for (let i = 1; i <= pages; i++) {
    const p = join(dir, `fax-${i}.tif`);
    sh('convert', ['-size', '1728x1100', 'xc:white', '-fill', 'black', '-pointsize', '90', '-draw', `text 200,500 'FAX PAGE ${i}'`, '-monochrome', '-units', 'PixelsPerInch', '-density', '204x98', '-compress', compress, p]);
    parts.push(p);
  }
  const out = join(dir, 'fax.tif');
  sh('tiffcp', [...parts, out]);
  return readFileSync(out);
}

/** A copy of a TIFF whose page `page` (1-based) declares compression `code` in tag 259 (patched in place, TIFF 6.0 §2). */
export function withTiffCompression(tiff: Buffer, page: number, code: number): Buffer {
  const b = Buffer.from(tiff);
  const le = b[0] === 0x49;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  let ifd = u32(4);
  for (let i = 1; i < page; i++) ifd = u32(ifd + 2 + u16(ifd) * 12);
  for (let e = 0; e < u16(ifd); e++) {
    const at = ifd + 2 + e * 12;
    if (u16(at) === 259) {
      if (le) b.writeUInt16LE(code, at + 8);
      else b.writeUInt16BE(code, at + 8);
      return b;
    }
  }
  throw new Error('no compression tag');
}

/** A PDF of `pages` pages, each with "label page n" (Helvetica). */
export async function plainPdf(label: string, pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) doc.addPage([612, 792]).drawText(`${label} page ${i}`, { x: 72, y: 700, size: 14, font });
  return Buffer.from(await doc.save());
}

/** `pdf` encrypted by qpdf (AES-256): `user` '' gives an owner-restricted file that opens without a password. */
export function qpdfEncrypt(dir: string, pdf: Buffer, user: string, owner = 'synthetic-owner-pw'): Buffer {
  const i = join(dir, `plain-${Math.random().toString(36).slice(2)}.pdf`);
  const o = `${i}.enc.pdf`;
  writeFileSync(i, pdf);
  sh('qpdf', ['--encrypt', user, owner, '256', '--print=none', '--modify=none', '--extract=n', '--', i, o]);
  return readFileSync(o);
}

/**
 * A real, valid grayscale PNG of `w` x `h` pixels (all white), written by streaming deflate row by row so that
 * making even a 20,000 x 20,000 px file needs little memory. Returns its path.
 */
export async function bigPng(dir: string, w: number, h: number): Promise<string> {
  const path = join(dir, `big-${w}x${h}.png`);
  const out = createWriteStream(path);
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  out.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  out.write(chunk('IHDR', ihdr));
  const deflate = createDeflate({ level: 6 });
  const idat: Buffer[] = [];
  deflate.on('data', (d: Buffer) => idat.push(d));
  const row = Buffer.alloc(w + 1, 0xff);
  row[0] = 0;
  for (let y = 0; y < h; y++) {
    if (!deflate.write(row)) await new Promise((ok) => deflate.once('drain', ok));
  }
  await new Promise<void>((ok) => deflate.end(ok));
  out.write(chunk('IDAT', Buffer.concat(idat)));
  out.write(chunk('IEND', Buffer.alloc(0)));
  await new Promise<void>((ok, fail) => out.end((e?: Error | null) => (e ? fail(e) : ok())));
  return path;
}
