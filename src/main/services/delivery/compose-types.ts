/** The shapes of composing a release's email messages (compose.ts): inputs per delivery method and what comes out. */
import type { PackagingJobs } from '../packaging/jobs';
import type { PacketManifest } from '../packaging/manifest';
import type { Mailbox } from './pgpmime';

/** One composed message of a release. */
export interface ComposedMessage {
  /** RFC 5322 message, CRLF line ends, ready for sendRawMessage. */
  raw: Buffer;
  /** Message-ID header value with angle brackets. */
  messageId: string;
  /** 1-based part number and number of parts (messages) of the release. */
  part: number;
  of: number;
  /** PHI-free attachment file names in this message (for PGP/MIME: the files inside the encryption). */
  attachments: string[];
}

/** What went in which message. */
export interface ComposedPartInfo {
  part: number;
  of: number;
  /** Packet page range (password PDF / TLS-only); absent for PGP/MIME file groups. */
  firstPage?: number;
  lastPage?: number;
  files: string[];
}

/** Result of every compose function. */
export interface ComposedRelease {
  messages: ComposedMessage[];
  parts: ComposedPartInfo[];
  /** The manifest with its parts (password PDF / TLS-only), for the transmission record. */
  manifest?: PacketManifest;
}

/** Common input of the packet-based compose functions. */
export interface ComposePacketInput {
  /** The practice's sending mailbox (its name is the practice's, not PHI). */
  from: Mailbox;
  /** The recipient's address only; no display name goes into the headers. */
  to: string;
  practiceName: string;
  /** Release reference, PHI-free ([A-Za-z0-9._-], ≤ 40), e.g. "R-2026-00001". */
  reference: string;
  /** The unencrypted packet from assemblePacket. */
  packetPdf: Uint8Array;
  /** Its manifest from assemblePacket. */
  manifest: PacketManifest;
  /** The practice's armored private key. */
  practiceSigningKeyArmored: string;
  practiceSigningKeyPassphrase?: string;
  /** Raw attachment bytes per message; default 18,000,000 (DEFAULT_PART_LIMIT_BYTES). */
  limitBytes?: number;
  /** Date header; default now. */
  date?: Date;
  assetsRoot?: string;
  /** Where splitting and the password PDF run (the packaging worker in the app); default: this thread. */
  packaging?: PackagingJobs | undefined;
}

/** Input of {@link composePasswordPdfMessages}. */
export interface ComposePasswordPdfInput extends ComposePacketInput {
  /** The PDF open password (e.g. generateSpokenPassphrase().passphrase), shown once to staff; 1..32 bytes. */
  passphrase: string;
}

/** The recorded decision that unencrypted email may be used (from mayUseUnencryptedEmail and the vault). */
export interface UnencryptedEmailDecision {
  /** `mayUseUnencryptedEmail(request, acknowledgment).allowed`. */
  allowed: boolean;
  /** Id of the recorded acknowledgment (warning shown, choice, scope) this transmission is linked to. */
  acknowledgmentId: string;
}

/** Input of {@link composeTlsOnlyMessages}. */
export interface ComposeTlsOnlyInput extends ComposePacketInput {
  unencrypted: UnencryptedEmailDecision | undefined | null;
}
