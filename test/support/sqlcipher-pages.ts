/**
 * Decrypt the pages of a SQLCipher 4 vault file (and of its write-ahead log) with the raw 32-byte key, independently
 * of the vault library, so a test can search the bytes that are really on disk — live rows, free pages and slack
 * alike. A purge that only unlinks rows leaves the old content in free pages; this finds it.
 *
 * SQLCipher 4 page layout (https://www.zetetic.net/sqlcipher/design/): pages of 4096 bytes, each ending in a reserve
 * of 16 bytes IV + 64 bytes HMAC-SHA512; the rest is AES-256-CBC ciphertext (no padding). Page 1 starts with the
 * 16-byte KDF salt in place of "SQLite format 3\0", so its ciphertext starts at byte 16. A raw key (`x'<64 hex>'`)
 * is the AES key itself. WAL (https://sqlite.org/fileformat.html#walformat): a 32-byte header, then frames of a
 * 24-byte header and one page.
 */
import { createDecipheriv } from 'node:crypto';

export const PAGE_SIZE = 4096;
const RESERVE = 16 + 64;

/** Decrypt one encrypted page (`pageNo` 1 is the first page of the database file). */
export function decryptPage(page: Buffer, key: Buffer, pageNo: number): Buffer {
  const offset = pageNo === 1 ? 16 : 0;
  const iv = page.subarray(PAGE_SIZE - RESERVE, PAGE_SIZE - RESERVE + 16);
  const d = createDecipheriv('aes-256-cbc', key, iv);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(page.subarray(offset, PAGE_SIZE - RESERVE)), d.final()]);
  return pageNo === 1 ? Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), plain]) : plain;
}

/**
 * Every page of an encrypted database file, decrypted and concatenated (reserve bytes dropped).
 * @throws Error when the first page does not decrypt to a SQLite header with a 4096-byte page and an 80-byte reserve
 */
export function decryptDatabaseFile(bytes: Buffer, key: Buffer): Buffer {
  if (bytes.length % PAGE_SIZE !== 0) throw new Error(`not a whole number of pages: ${bytes.length}`);
  const pages: Buffer[] = [];
  for (let i = 0; i < bytes.length / PAGE_SIZE; i++) pages.push(decryptPage(bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), key, i + 1));
  const first = pages[0];
  if (first && (first.readUInt16BE(16) !== PAGE_SIZE || first[20] !== RESERVE)) throw new Error('page 1 did not decrypt to a SQLCipher 4 header (wrong key?)');
  return Buffer.concat(pages);
}

/** Every frame's page of a WAL file, decrypted (the page number is in each frame header). Empty for an empty WAL. */
export function decryptWalFile(bytes: Buffer, key: Buffer): Buffer {
  const pages: Buffer[] = [];
  for (let off = 32; off + 24 + PAGE_SIZE <= bytes.length; off += 24 + PAGE_SIZE) {
    const pageNo = bytes.readUInt32BE(off);
    pages.push(decryptPage(bytes.subarray(off + 24, off + 24 + PAGE_SIZE), key, pageNo));
  }
  return Buffer.concat(pages);
}
