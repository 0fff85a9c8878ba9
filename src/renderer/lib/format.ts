/** Display formatting (no PHI logic here). */

/** "1.2 MB" / "830 KB" from a byte count. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Local date and time from an ISO-8601 string, e.g. "Mar 3, 2026, 2:05 PM". */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * A calendar date (`YYYY-MM-DD`, no time zone: due dates, dates of service, birth dates) in the same style as
 * formatDateTime's date part, e.g. "Mar 3, 2026" — one date format across the UI. Formatted as that calendar day
 * (in UTC), so it never shifts by a day with the computer's time zone. Anything else is returned unchanged.
 */
export function formatDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? isoDate : d.toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
}

/** "3 pages" / "1 page". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
