/**
 * What every email delivery method of a release gets and gives back. A method only composes: it turns the
 * release's documents into the exact messages that will travel (encrypted where the method encrypts). The
 * send workflow stores them in the outbox before anything leaves and sends only what was stored.
 */
import type { ComposedMessage, ComposePacketInput } from '../../delivery/compose';
import type { AssembledPacket } from '../../packaging';
import type { PackagingJobs } from '../../packaging/jobs';
import type { SmimeSendInput } from '../../smime/service';
import type { GateResult } from '../release-service';
import type { StoredRecipient } from '../repo';

/** The release's facts a method composes from (read once by the workflow). */
export interface MethodInput {
  practice: { name: string; senderName: string; senderEmail: string };
  recipient: StoredRecipient;
  /** PHI-free release reference, e.g. "R-2026-00001". */
  reference: string;
  gate: GateResult;
  practiceKey: { armoredPrivate: string; armoredPublic: string; fingerprint: string };
  /** Raw attachment bytes per message (delivery settings). */
  limitBytes: number;
  now: Date;
  assetsRoot?: string | undefined;
  /** The 42 CFR 2.32(b) scope sheets of the Part 2 consents relied on (PDF, neutral names); PGP/MIME attaches them. */
  scopeSheets: Array<{ filename: string; bytes: Buffer }>;
  /** S/MIME only: the recipient's confirmed certificate (checked now) and the practice certificate. */
  smime?: SmimeSendInput | undefined;
  /** A record file's bytes from the vault. */
  readDocument(id: string): Buffer;
  /** A record file's bytes from the vault one stored chunk at a time, SHA-256 checked after the last (readDocumentChunks). */
  readDocumentChunks?: ((id: string) => Iterable<Buffer>) | undefined;
  /** The stamped release packet (cover, manifest, records), assembled on demand. */
  assemble(): Promise<AssembledPacket>;
  /** Where splitting and the password PDF run (the packaging worker in the app); default: this thread. */
  packaging?: PackagingJobs | undefined;
}

/** The composed messages of a release and what the transmission record keeps about them. */
export interface PreparedMessages {
  /** The messages, composed (empty when `oneByOne` is given). */
  messages: ComposedMessage[];
  /**
   * Instead of `messages`: how many there will be and the messages composed one at a time as they are iterated
   * (PGP/MIME: releases of any size), so the workflow stores each in the vault before composing the next. A message's
   * `raw` may be overwritten by the next one (one reused buffer): store it before asking for the next.
   */
  oneByOne?: { of: number; messages: AsyncIterable<ComposedMessage> } | undefined;
  /** SHA-256 (hex) of the assembled packet (null for PGP/MIME, which sends the record files). */
  packetSha256: string | null;
  /** The recipient key's fingerprint (PGP/MIME) or certificate's SHA-256 fingerprint (S/MIME), '' otherwise. */
  recipientKeyFingerprint: string;
  /** The one passphrase of a password PDF: returned to staff once, never stored. */
  passphrase: string | null;
}

/** What the packet methods (password PDF, TLS-only) compose from: the assembled packet and the release's parties. */
export function packetComposeInput(m: MethodInput, packet: AssembledPacket): ComposePacketInput {
  return {
    from: { name: m.practice.senderName, address: m.practice.senderEmail },
    to: m.recipient.email,
    practiceName: m.practice.name,
    reference: m.reference,
    packetPdf: packet.pdf,
    manifest: packet.manifest,
    practiceSigningKeyArmored: m.practiceKey.armoredPrivate,
    limitBytes: m.limitBytes,
    date: m.now,
    ...(m.assetsRoot ? { assetsRoot: m.assetsRoot } : {}),
    ...(m.packaging ? { packaging: m.packaging } : {}),
  };
}
