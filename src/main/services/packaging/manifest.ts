/**
 * The packet manifest: which source documents are in the packet, where, and their
 * SHA-256 digests (FIPS 180-4), so a recipient or auditor can tie every page to its
 * source (integrity, 45 CFR 164.312(c)(1)). Machine-readable JSON here; packet.ts draws it as a page.
 */

/** Version tag of the manifest JSON format. */
export const MANIFEST_FORMAT = 'releasedesk-packet-manifest/1';

/** One source document inside the packet. Page numbers are 1-based packet page numbers. */
export interface ManifestDocument {
  /** 1-based position in the packet. */
  index: number;
  /** Opaque document id (no PHI). */
  id: string;
  /** The document's category (DOCUMENT_CATEGORIES) and date of service (`YYYY-MM-DD`), when the caller gave them. */
  category?: string;
  documentDate?: string;
  mediaType: string;
  /** SHA-256, lowercase hex, of the source bytes as selected. */
  sha256: string;
  /** Pages the source has by its own account. */
  sourcePages: number;
  firstPage: number;
  lastPage: number;
  firstReleaseNumber: string;
  lastReleaseNumber: string;
  /** qpdf repaired the source (e.g. its cross-reference table) before use. */
  repaired: boolean;
}

/** One emailed part of a split packet. */
export interface ManifestPart {
  part: number;
  of: number;
  firstPage: number;
  lastPage: number;
  bytes: number;
  /** SHA-256 (hex) of the part's PDF bytes (before any password encryption). */
  sha256: string;
}

/** The whole manifest. */
export interface PacketManifest {
  format: typeof MANIFEST_FORMAT;
  reference: string;
  releaseNumberPrefix: string;
  /** ISO 8601 instant the packet was made. */
  createdAt: string;
  /** Total pages of the packet, cover and manifest pages included. */
  pageCount: number;
  coverPages: number;
  manifestPages: number;
  documents: ManifestDocument[];
  /** SHA-256 (hex) of the packet PDF (filled in after it is saved; the manifest page cannot contain it). */
  packetSha256: string;
  packetBytes: number;
  /** Present when the packet was split for email. */
  parts?: ManifestPart[];
}

/**
 * The release (Bates-style) number of packet page `n`: prefix + n zero-padded to 6 digits.
 *
 * @param prefix e.g. "RD-2026-0042-"; letters, digits, dash, dot, underscore only (it appears on every page)
 * @param n 1-based page number
 */
export function releaseNumber(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(6, '0')}`;
}

/**
 * The manifest as UTF-8 JSON bytes. This is the form that travels BESIDE the encrypted packet (password PDF,
 * TLS-only email, export), readable without the passphrase, so it carries no PHI: what each document is (its
 * category — which may itself be sensitive, e.g. HIV or 42 CFR Part 2 — and its date of service) is left out here
 * and stays on the manifest page inside the packet. Ids, digests and page ranges remain.
 * @source 45 CFR 164.312(e)(2)(ii), 164.514(d) (minimum necessary in what travels in clear)
 */
export function manifestJson(m: PacketManifest): Uint8Array {
  const documents = m.documents.map(({ category: _category, documentDate: _date, ...d }) => d);
  return new TextEncoder().encode(JSON.stringify({ ...m, documents }, null, 2) + '\n');
}
