/**
 * CSV for reports (RFC 4180: comma-separated, CRLF line ends, fields with comma, quote or line break
 * quoted, quotes doubled), UTF-8 with a byte-order mark so spreadsheet programs read names in any script.
 * A field starting with = + - @ or a tab/CR is prefixed with an apostrophe, so a spreadsheet never runs it
 * as a formula (OWASP "CSV injection").
 */

/** One field, escaped. */
export function csvField(v: string | number | boolean | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The whole file.
 * @param header column names
 * @param rows rows of fields
 * @returns UTF-8 bytes with BOM
 */
export function toCsv(header: string[], rows: Array<Array<string | number | boolean | null | undefined>>): Buffer {
  const lines = [header, ...rows].map((r) => r.map(csvField).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}
