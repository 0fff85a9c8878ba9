/**
 * Shapes of an SMTP submission: where to submit, the envelope, the options and the result
 * (see sendRawMessage in smtp.ts).
 */
/** Where and how to submit. Mirrors the contract's SmtpSettingsInput. */
export interface SmtpSettings {
  host: string;
  /** TCP port: usually 587 for 'starttls', 465 for 'tls'. */
  port: number;
  /** 'starttls': plain connect then mandatory STARTTLS (RFC 3207); 'tls': implicit TLS (RFC 8314 §3.3). */
  security: 'starttls' | 'tls';
  username: string;
  password: string;
}

/** SMTP envelope (RFC 5321 §2.3.1): MAIL FROM and RCPT TO addresses, independent of the headers. */
export interface SmtpEnvelope {
  from: string;
  to: string[];
}

export interface SendOptions {
  /** PEM CA certificates to trust INSTEAD of the system roots (tests, or a practice's private CA). */
  ca?: string[];
  /** DSN envelope id (RFC 3461 §4.4): printable ASCII, at most 100 characters; returned in bounces. Must carry no PHI. */
  envid?: string;
  /**
   * Limit for connecting, the greeting and each later wait, in milliseconds. Default 30 000.
   * When given, it is also the wait for the verdict after the final "." (unless `replyTimeoutMs` is given).
   */
  timeoutMs?: number;
  /**
   * Wait for the server's verdict after the final "." of DATA, in milliseconds. Default: `timeoutMs` when
   * given, else 600 000 (RFC 5321 §4.5.3.2.6: 10 minutes; a server may scan the message before answering,
   * and giving up early turns a delivered message into an unconfirmed one).
   */
  replyTimeoutMs?: number;
  /**
   * Called once the whole message has been handed to the connection and BEFORE the final
   * "." of DATA can be written (RFC 5321 §4.1.1.4): from then on a missing reply means the message may have
   * been delivered. If it throws, the message is not ended (nothing can be delivered) and the send fails.
   * It may return a promise (a commit to a database server): the final "." is written only after it resolved; a
   * rejection is treated like a throw.
   */
  beforeEndOfData?: (() => void) | (() => Promise<void>);
  /** Called synchronously after each chunk of the message is taken by the connection: bytes handed over so far, of the total. */
  onDataProgress?: (sentBytes: number, totalBytes: number) => void;
}

export interface SendResult {
  /** The Message-ID header of `raw` (with angle brackets), '' when it has none. */
  messageId: string;
  /** The server's final reply to DATA, e.g. "250 2.0.0 OK: queued as ABC". For the transmission log (may contain a queue id). */
  response: string;
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused while accepting others (all refused is an error). */
  rejected: string[];
  /** Negotiated TLS protocol of this connection: 'TLSv1.2' or 'TLSv1.3'. */
  tlsProtocol: string;
  /** Negotiated cipher suite, OpenSSL name, e.g. 'TLS_AES_256_GCM_SHA384'. */
  tlsCipher: string;
}

/**
 * A message handed to {@link sendRawMessage} chunk by chunk instead of as one Buffer (a stored outbox message):
 * its size (bytes, declared with SIZE, RFC 1870) and SHA-256 (hex), and a fresh iteration of its chunks in order —
 * synchronous (the vault's outbox) or asynchronous (the practice server's shared outbox, read as it is sent; the next
 * chunk is asked for only when the connection takes more, so one chunk at a time is in memory).
 * The chunks are checked against both before the final "." of DATA; a mismatch ends the DATA without it
 * (OUTBOX_INTEGRITY) and `beforeEndOfData` is not called.
 */
export interface ChunkedMessage {
  sizeBytes: number;
  sha256: string;
  chunks(): Iterable<Buffer> | AsyncIterable<Buffer>;
}
