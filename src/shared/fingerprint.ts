/**
 * Display helpers for OpenPGP fingerprints, shared by main and renderer.
 *
 * A v4 fingerprint is the SHA-1 over the public key packet: 20 bytes, shown as
 * 40 hex digits (RFC 4880 §12.2). People compare them by reading them aloud
 * or side by side, so we show them the way GnuPG does: upper case, in groups
 * of four.
 */

/**
 * Format a fingerprint for people to compare: `"ABCD EF01 2345 ..."`.
 *
 * @param fpr hex digits, any case, spaces and colons ignored (e.g. as pasted from `gpg --fingerprint`).
 * @returns upper-case hex in groups of four separated by single spaces; a v4
 *   fingerprint (40 digits) gives ten groups. Input that is not hex is returned
 *   upper-cased and grouped the same way, never thrown on (it is display-only).
 * @source RFC 4880 §12.2 (key IDs and fingerprints).
 */
export function formatFingerprint(fpr: string): string {
  const hex = fpr.replace(/[\s:]/g, '').toUpperCase();
  return (hex.match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * Normalize a fingerprint for storage and comparison: 40 (v4) or 64 (v6)
 * upper-case hex digits, spaces and colons removed.
 *
 * @returns the normalized fingerprint, or `null` when it is not one.
 * @source RFC 4880 §12.2; RFC 9580 §5.5.4.
 */
export function normalizeFingerprint(fpr: string): string | null {
  const hex = fpr.replace(/[\s:]/g, '').toUpperCase();
  return /^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(hex) ? hex : null;
}
