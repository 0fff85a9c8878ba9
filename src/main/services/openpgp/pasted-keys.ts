/**
 * Pasted key text judged from its packets, and refusals that name the key and the date (issue 14): dates and
 * fingerprints in refusals of revoked or expired keys, revocation certificates pasted on their own, and primary
 * keys or subkeys in algorithms ReleaseDesk cannot use. Used by keys.ts; messages never carry a user id or address.
 */
import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { formatFingerprint } from '../../../shared/fingerprint';
import { AppError } from '../../../shared/errors';

/** One OpenPGP packet found in binary data (RFC 4880 §4.2): its tag and where its body lies. */
export interface RawPacket {
  tag: number;
  start: number;
  bodyStart: number;
  end: number;
}

/** Walk the packets of binary OpenPGP data; stops (without throwing) at anything it cannot frame. */
export function walkPackets(b: Uint8Array): RawPacket[] {
  const out: RawPacket[] = [];
  let i = 0;
  while (i < b.length) {
    const h = b[i]!;
    if ((h & 0x80) === 0) break;
    let tag: number;
    let len: number;
    let body: number;
    if (h & 0x40) {
      tag = h & 0x3f;
      const o1 = b[i + 1];
      if (o1 === undefined) break;
      if (o1 < 192) [len, body] = [o1, i + 2];
      else if (o1 < 224) [len, body] = [((o1 - 192) << 8) + (b[i + 2] ?? 0) + 192, i + 3];
      else if (o1 === 255) [len, body] = [((b[i + 2]! << 24) >>> 0) + (b[i + 3]! << 16) + (b[i + 4]! << 8) + b[i + 5]!, i + 6];
      else break; // partial lengths never frame key material
    } else {
      tag = (h >> 2) & 0x0f;
      const t = h & 3;
      if (t === 0) [len, body] = [b[i + 1]!, i + 2];
      else if (t === 1) [len, body] = [(b[i + 1]! << 8) + b[i + 2]!, i + 3];
      else if (t === 2) [len, body] = [((b[i + 1]! << 24) >>> 0) + (b[i + 2]! << 16) + (b[i + 3]! << 8) + b[i + 4]!, i + 5];
      else break;
    }
    if (body + len > b.length) break;
    out.push({ tag, start: i, bodyStart: body, end: body + len });
    i = body + len;
  }
  return out;
}

/** Curves ReleaseDesk (openpgp.js in its GnuPG 2.2-compatible setup) cannot use, by DER OID bytes (hex). */
const UNSUPPORTED_CURVES: Record<string, string> = { '2b6571': 'Ed448', '2b656f': 'X448' };
/** Public-key algorithm ids openpgp.js reads (RFC 4880 §9.1, RFC 9580 §9.1). */
const KNOWN_ALGORITHMS = new Set([1, 2, 3, 16, 17, 18, 19, 22, 25, 26, 27, 28]);

/** A key packet's algorithm when ReleaseDesk cannot use it: 'Ed448', 'X448' or 'algorithm 100'; else null. */
export function unsupportedAlgorithm(b: Uint8Array, p: RawPacket): string | null {
  const version = b[p.bodyStart];
  if (version !== 4) return version === 5 ? 'version 5 keys' : null;
  const algo = b[p.bodyStart + 5]!;
  if (!KNOWN_ALGORITHMS.has(algo)) return `algorithm ${algo}`;
  if (algo === 18 || algo === 19 || algo === 22) {
    const oidLen = b[p.bodyStart + 6]!;
    const oid = Buffer.from(b.subarray(p.bodyStart + 7, p.bodyStart + 7 + oidLen)).toString('hex');
    return UNSUPPORTED_CURVES[oid] ?? null;
  }
  return null;
}

/** v4 fingerprint of a key packet: SHA-1 over 0x99, the two-byte body length and the body (RFC 4880 §12.2). */
function v4Fingerprint(b: Uint8Array, p: RawPacket): string {
  const body = b.subarray(p.bodyStart, p.end);
  const head = Buffer.from([0x99, (body.length >> 8) & 0xff, body.length & 0xff]);
  return createHash('sha1').update(head).update(body).digest('hex').toUpperCase();
}

/** The binary packets of armored text (RFC 4880 §6.2), or null when it is not armored OpenPGP data. */
export async function dearmor(text: string): Promise<Uint8Array | null> {
  try {
    const { data } = await openpgp.unarmor(text);
    return data instanceof Uint8Array ? data : null;
  } catch {
    return null;
  }
}

/** "on 14 March 2026" (UTC date; no time, so it reads the same in every office). */
export function onDate(d: Date): string {
  return `on ${d.toLocaleDateString('en-US', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}`;
}

/** The newest revocation signature's creation time, or null. */
function revokedAt(sigs: readonly openpgp.SignaturePacket[]): Date | null {
  const times = sigs.map((s) => s.created).filter((d): d is Date => d instanceof Date);
  return times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : null;
}

/**
 * The refusal of a key that is revoked or expired at `now`, naming the key's fingerprint and the date, or null when
 * the key is not revoked or expired (checked in this order: primary revoked, primary expired, then the newest
 * encryption subkey). Messages carry the fingerprint only — never a user id or address.
 * @source RFC 4880 §5.2.1 (0x20, 0x28 revocations), §5.2.3.6 (key expiration time)
 */
export async function datedKeyRefusal(key: openpgp.Key, now: Date): Promise<AppError | null> {
  const fpr = formatFingerprint(key.getFingerprint());
  const detail = { fingerprint: key.getFingerprint().toUpperCase() };
  if (key.revocationSignatures.length && (await key.isRevoked(undefined, undefined, now).catch(() => false))) {
    const at = revokedAt(key.revocationSignatures);
    return new AppError('KEY_REVOKED', `The key ${fpr} was revoked by its owner${at ? ' ' + onDate(at) : ''} and must not be used. Ask the recipient for their current key.`, { ...detail, part: 'primary', ...(at ? { at: at.toISOString() } : {}) });
  }
  const expiry = await key.getExpirationTime().catch(() => null);
  if (expiry instanceof Date && expiry.getTime() <= now.getTime()) {
    return new AppError('KEY_EXPIRED', `The key ${fpr} expired ${onDate(expiry)}. Ask the recipient to extend it or send a new one.`, { ...detail, part: 'primary', at: expiry.toISOString() });
  }
  const enc = key.subkeys.filter((s) => s.keyPacket.algorithm !== openpgp.enums.publicKey.eddsaLegacy);
  if (enc.length === 0) return null;
  try {
    await key.getEncryptionKey(undefined, now);
    return null;
  } catch {
    // Judge the newest subkey: the one the owner most likely means.
    const newest = enc.reduce((a, s) => (s.getCreationTime() > a.getCreationTime() ? s : a));
    if (newest.revocationSignatures.length) {
      const at = revokedAt(newest.revocationSignatures);
      return new AppError('KEY_REVOKED', `The encryption part of key ${fpr} was revoked${at ? ' ' + onDate(at) : ''}. Ask the recipient for their current key.`, { ...detail, part: 'subkey', ...(at ? { at: at.toISOString() } : {}) });
    }
    const sub = await newest.getExpirationTime(now).catch(() => null);
    if (sub instanceof Date && sub.getTime() <= now.getTime()) {
      return new AppError('KEY_EXPIRED', `The encryption part of key ${fpr} expired ${onDate(sub)}. Ask the recipient to extend it or send a new one.`, { ...detail, part: 'subkey', at: sub.toISOString() });
    }
    return null;
  }
}

/** What pasted text holds, judged from its packets before openpgp.js reads it. */
export type PastedKeyText =
  | { kind: 'revocation-certificate'; bytes: Uint8Array; issuerFingerprint: string | null; created: Date | null }
  | { kind: 'unsupported'; fingerprint: string; algorithm: string }
  | { kind: 'key'; droppedSubkeys: string[]; bytes: Uint8Array }
  | { kind: 'unknown' };

/**
 * Look at the packets of an armored block: a lone key revocation signature (type 0x20, what `gpg --gen-revoke`
 * makes) is a revocation certificate; a primary key in an algorithm ReleaseDesk cannot use (Ed448, X448, unknown)
 * is unsupported; subkeys in such algorithms are dropped (and named) so the rest of the key can be read.
 * @source RFC 4880 §4.3 (packet tags), §5.2.1 (signature types), §5.5.2 (key packets)
 */
export async function sniffPastedKey(armored: string): Promise<PastedKeyText> {
  const b = await dearmor(armored.trim());
  if (!b) return { kind: 'unknown' };
  const packets = walkPackets(b);
  if (packets.length === 0) return { kind: 'unknown' };
  if (packets.every((p) => p.tag === 2)) {
    if (packets.length !== 1 || b[packets[0]!.bodyStart] !== 4 || b[packets[0]!.bodyStart + 1] !== 0x20) return { kind: 'unknown' };
    try {
      const sig = await openpgp.readSignature({ binarySignature: b });
      const pkt = sig.packets[0]!;
      const issuer = pkt.issuerFingerprint ? Buffer.from(pkt.issuerFingerprint).toString('hex').toUpperCase() : null;
      return { kind: 'revocation-certificate', bytes: b, issuerFingerprint: issuer, created: pkt.created ?? null };
    } catch {
      return { kind: 'unknown' };
    }
  }
  const primary = packets[0]!;
  if (primary.tag !== 6) return { kind: 'unknown' };
  const bad = unsupportedAlgorithm(b, primary);
  if (bad) return { kind: 'unsupported', fingerprint: v4Fingerprint(b, primary), algorithm: bad };
  // Drop unsupported subkeys together with their binding signatures (the signatures up to the next non-signature packet).
  const keep: RawPacket[] = [];
  const dropped: string[] = [];
  let skipping = false;
  for (const p of packets) {
    if (p.tag === 14) {
      const why = unsupportedAlgorithm(b, p);
      skipping = why !== null;
      if (why) dropped.push(why);
    } else if (p.tag !== 2) skipping = false;
    if (!skipping) keep.push(p);
  }
  const bytes = dropped.length ? Buffer.concat(keep.map((p) => b.subarray(p.start, p.end))) : b;
  return { kind: 'key', droppedSubkeys: dropped, bytes };
}

/**
 * A stored recipient key with a pasted revocation certificate applied: the certificate's signature packet is put
 * after the primary key packet and the key read again; it counts only if openpgp.js then judges the key revoked
 * (the signature verifies against this key).
 * @returns the revoked key, armored
 * @throws AppError KEY_REVOCATION_UNMATCHED — the certificate is not a valid revocation of this key
 * @source RFC 4880 §5.2.1 (0x20 key revocation), §11.1
 */
export async function applyRevocationCertificate(storedArmored: string, cert: Uint8Array, now: Date): Promise<{ armored: string; refusal: AppError }> {
  const unmatched = () => new AppError('KEY_REVOCATION_UNMATCHED', 'This revocation certificate does not revoke the key stored for this recipient. Nothing was changed.');
  const stored = await openpgp.readKey({ armoredKey: storedArmored });
  const bin = stored.write();
  const first = walkPackets(bin)[0];
  if (!first) throw unmatched();
  const merged = Buffer.concat([bin.subarray(0, first.end), cert, bin.subarray(first.end)]);
  let revoked: openpgp.Key;
  try {
    revoked = await openpgp.readKey({ binaryKey: merged });
  } catch {
    throw unmatched();
  }
  const refusal = await datedKeyRefusal(revoked, now);
  if (!refusal || refusal.code !== 'KEY_REVOKED') throw unmatched();
  return { armored: revoked.armor(), refusal };
}

/**
 * The stored key updated with what a pasted copy of the same key adds (revocations, new expiry): used when the
 * pasted copy is refused as revoked or expired, so the stored key can no longer be sent to either.
 * @returns the merged key armored, or null when the pasted key is another key or unreadable
 */
export async function mergeSameKey(storedArmored: string, pastedArmored: string, now: Date): Promise<string | null> {
  try {
    const stored = await openpgp.readKey({ armoredKey: storedArmored });
    const pasted = await openpgp.readKey({ armoredKey: pastedArmored.trim() });
    if (pasted.isPrivate() || pasted.getFingerprint() !== stored.getFingerprint()) return null;
    return (await stored.update(pasted, now)).armor();
  } catch {
    return null;
  }
}
