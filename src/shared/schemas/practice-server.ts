/**
 * The practice server (issue #17): the PostgreSQL server a practice with several workstations shares. Data schemas
 * (zod) only; the channels are in src/shared/channels/practice-server.ts. JSON-safe. The password is an input only:
 * no output carries it (the status says whether one is stored).
 *
 * Source: 45 CFR 164.312(e)(1) transmission security (TLS required and verified against the practice's CA);
 * 164.312(d) person or entity authentication (the server proves its identity with a certificate, the workstation
 * with the role's password).
 */
import { z } from 'zod';
import { armoredText, line } from '../text-rules';
import { Id, IsoDateTime } from './common';

/** Dotted-quad IPv4 (each part 0–255, no leading zeros). */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** A DNS host name: labels of letters, digits and hyphens (not at either end), 1–63 chars each (RFC 1123 §2.1). */
const HOST_NAME = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

/**
 * True when `s` is a host name (RFC 1123 §2.1, at most 253 characters), a dotted-quad IPv4 address or an IPv6
 * address (RFC 4291 §2.2, without brackets or zone). All-numeric names that are not an IPv4 address are refused.
 */
export function isServerHost(s: string): boolean {
  if (s.length < 1 || s.length > 253) return false;
  if (IPV4.test(s)) return true;
  if (/^[\d.]+$/.test(s)) return false;
  if (HOST_NAME.test(s)) return true;
  return s.includes(':') && z.ipv6().safeParse(s).success;
}

/** A host name or IP address of the practice server (see {@link isServerHost}). */
export const ServerHost = z.string().trim().min(1).max(253).refine(isServerHost, { message: 'must be a server name (like db.practice.example) or an IP address' });

/** A TCP port, 1–65535 (PostgreSQL's default is 5432). */
export const ServerPort = z.number().int().min(1).max(65535);

/** A PostgreSQL database or role name as typed: one line, 1–63 characters (PostgreSQL's NAMEDATALEN − 1 bytes). */
export const PgName = line(63).refine((s) => new TextEncoder().encode(s).length <= 63, { message: 'must be at most 63 bytes' });

/** Upper bound of the CA certificate text: a few PEM certificates (a root and intermediates) fit easily. */
export const CA_PEM_MAX_CHARS = 64_000;

/** One PEM certificate block, BEGIN to END line (the form main parses as X.509). */
export const PEM_CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * What is wrong with a pasted CA certificate text before any certificate is parsed, as a code (null: nothing found
 * wrong here; main then parses each block and tells a certificate that is no CA — PRACTICE_SERVER_CA_INVALID
 * reason 'not_a_ca' — from one it cannot read):
 * - 'empty': nothing pasted;
 * - 'private_key': it holds a private key (never stored);
 * - 'not_pem': no complete certificate block (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), i.e. it is
 *   not a certificate in PEM form at all (e.g. "hello").
 * @source RFC 7468 §2 (textual encoding), §5 (certificates).
 */
export function caPemProblem(text: string): 'empty' | 'private_key' | 'not_pem' | null {
  if (!text.trim()) return 'empty';
  if (/PRIVATE KEY/.test(text)) return 'private_key';
  if (!(text.match(PEM_CERTIFICATE_BLOCK)?.length)) return 'not_pem';
  return null;
}

/**
 * The CA certificate(s) the practice's IT provider gives the workstations, as PEM text: printable ASCII, at most
 * {@link CA_PEM_MAX_CHARS} characters, at least one `BEGIN CERTIFICATE` block and never a private key (a pasted
 * server key is refused, not stored). Main parses every block as X.509 (PRACTICE_SERVER_CA_INVALID otherwise).
 */
export const CaPem = armoredText(CA_PEM_MAX_CHARS)
  .refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), { message: 'must be a CA certificate in PEM form (-----BEGIN CERTIFICATE-----)' })
  .refine((s) => !/PRIVATE KEY/.test(s), { message: 'must not contain a private key: paste only the CA certificate' });

/** The password of the practice server's role: a secret (never text, never logged), 1–1024 characters. */
export const PracticeServerPassword = z.string().min(1).max(1024);

/** What an administrator enters for the practice server. `password` omitted: keep the stored one (same host, port and user only). */
export const PracticeServerInput = z
  .object({
    host: ServerHost,
    port: ServerPort,
    database: PgName,
    user: PgName,
    password: PracticeServerPassword.optional(),
    caPem: CaPem,
  })
  .strict();
export type PracticeServerInputT = z.output<typeof PracticeServerInput>;

/** What a successful connection test found: the server's PostgreSQL version and the TLS the server itself reports. */
export const PracticeServerCheck = z.object({
  /** `server_version`, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  serverVersion: z.string(),
  /** The negotiated protocol as `pg_stat_ssl` reports it, e.g. "TLSv1.3". */
  tlsVersion: z.string(),
  /** The negotiated cipher suite, e.g. "TLS_AES_256_GCM_SHA384". */
  tlsCipher: z.string(),
  /** When the test ran. */
  at: IsoDateTime,
});
export type PracticeServerCheckT = z.output<typeof PracticeServerCheck>;

/**
 * This workstation's practice server: `not_set` (never configured: the workstation works from its own vault),
 * `active` (configured and its last test passed) or `disconnected` (an administrator disconnected it: the settings
 * are kept for reconnecting, the password was erased). Never the password itself.
 */
export const PracticeServerStatus = z.object({
  state: z.enum(['not_set', 'active', 'disconnected']),
  /** The stored settings, without the password; null when never configured. */
  server: z.object({ host: z.string(), port: ServerPort, database: z.string(), user: z.string(), caPem: z.string() }).nullable(),
  /** Whether a password is stored in the vault (shown as "set"); the password never leaves main. */
  passwordSet: z.boolean(),
  /** SHA-256 fingerprint of the (first) CA certificate, upper-case hex in colon-separated pairs; null when never configured. */
  caFingerprint: z.string().nullable(),
  /** The test that made the configuration active (its last successful check); null when never configured. */
  verified: PracticeServerCheck.nullable(),
});
export type PracticeServerStatusT = z.output<typeof PracticeServerStatus>;

// ------------------------------------------------------------------ the practice link (join, sync, conflicts)

/**
 * The link between this workstation and the practice server, in plain terms: `local` (no practice server: nothing is
 * shared), `online` (the last use of the server worked), `offline` (the server cannot be reached now: work is kept in
 * this vault and shared when it is back), `not_joined` (a server is configured but this workstation does not hold the
 * practice key yet: an administrator joins it). `lastSyncAt`: the last complete synchronisation; `conflicts`: how
 * many requests changed on both sides and await a decision.
 */
export const PracticeLinkStatus = z.object({
  state: z.enum(['local', 'online', 'offline', 'not_joined']),
  /** The label staff chose for this workstation; null before it joined. */
  workstationLabel: z.string().nullable(),
  lastSyncAt: IsoDateTime.nullable(),
  conflicts: z.number().int().min(0),
});
export type PracticeLinkStatusT = z.output<typeof PracticeLinkStatus>;

/** The status of `practiceServer.status`, `join` and `disconnect`: the server settings and the link. */
export const PracticeServerFullStatus = PracticeServerStatus.extend({ link: PracticeLinkStatus });
export type PracticeServerFullStatusT = z.output<typeof PracticeServerFullStatus>;

/** A workstation's label as staff see it ("Front desk 2"): one line, 1–60 characters, never PHI. */
export const WorkstationLabel = line(60);

/** Join this workstation: the administrator's passphrase (opens or makes the practice key) and a label. */
export const PracticeJoinInput = z.object({ passphrase: z.string().min(1).max(1024), workstationLabel: WorkstationLabel }).strict();

/** What one synchronisation did: requests written to the server, taken from it, new conflicts, audit events appended. */
export const PracticeSyncResult = z.object({
  pushed: z.number().int().min(0),
  pulled: z.number().int().min(0),
  conflicts: z.number().int().min(0),
  auditAppended: z.number().int().min(0),
  at: IsoDateTime,
});
export type PracticeSyncResultT = z.output<typeof PracticeSyncResult>;

/** One field that differs between this workstation's version of a request and the practice server's. */
export const PracticeConflictField = z.object({
  /** Plain-language name of the field ("Status", "Patient name", "Due date"). */
  label: z.string(),
  workstation: z.string(),
  server: z.string(),
});

/** A request that changed on this workstation and on the practice server since they last agreed. */
export const PracticeConflict = z.object({
  id: z.string(),
  requestId: z.string(),
  reference: z.string(),
  patientName: z.string(),
  detectedAt: IsoDateTime,
  fields: z.array(PracticeConflictField),
});
export type PracticeConflictT = z.output<typeof PracticeConflict>;

/** The decision on a conflict: keep the practice server's version, or this workstation's (it becomes a new version on the server). */
export const PracticeResolveInput = z.object({ conflictId: Id, keep: z.enum(['server', 'workstation']) }).strict();
