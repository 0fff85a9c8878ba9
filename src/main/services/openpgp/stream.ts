/**
 * Streaming OpenPGP encrypt-and-sign for large files (a release packet that is too big to
 * hold in memory twice): one pass, memory bounded, binary output GnuPG 2.2 reads.
 *
 * Message shape (RFC 4880 §11.3): PKESK per recipient (§5.1), then a SEIPDv1 packet with MDC
 * (§5.13, no AEAD: GnuPG 2.2 cannot read it), holding One-Pass Signature (§5.4), Literal Data
 * (§5.9, binary, uncompressed like `gpg -z 0`) and Signature (§5.2). openpgp 6 works on web
 * streams only, so Node streams are bridged with `Readable.toWeb` / `Readable.fromWeb`.
 *
 * The bulk work runs natively when the keys allow it ({@link prepareEncryptAndSign}: Ed25519 or RSA
 * signing key, AES session key): same packets, a plain read-encrypt-write loop without stream plumbing.
 * Other key types go through openpgp.js.
 */
import { Readable, Transform, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import * as openpgp from 'openpgp';
import { AppError } from '../../../shared/errors';
import { type EncryptSignWriterT, prepareEncryptAndSign } from './fast-encrypt';
import { GNUPG22_COMPATIBLE_CONFIG } from './keys';

/** Keys and literal-data name for {@link encryptAndSignStream}. */
export interface EncryptAndSignOptions {
  /** Armored public keys of every recipient (RFC 4880 §6.2); each needs a valid encryption (sub)key. */
  encryptionKeysArmored: string[];
  /** The practice's armored, unprotected private key (from generatePracticeKey, kept in the vault). */
  signingKeyArmored: string;
  /**
   * Name recorded in the Literal Data packet (inside the ciphertext; gpg may use it as the output
   * name). Must not carry PHI: use a release number such as "RD-0042-packet.pdf".
   */
  filename: string;
}

/** Progress in bytes: plaintext read so far and ciphertext written so far. */
export interface StreamProgress {
  bytesIn: number;
  bytesOut: number;
}

/** Plaintext handed to the cipher's worker thread and not yet encrypted, at most (bytes). */
const IN_FLIGHT_BYTES = 4 * 2 ** 20;

/** Node stream chunk size used on both bridges (bytes): bounds how much plaintext is in flight. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Encrypt `input` to every recipient key and sign it with the practice key, writing a binary
 * OpenPGP message to `output` as it goes.
 *
 * Memory stays bounded by the stream buffers (a few chunks of {@link CHUNK_BYTES}), not by the
 * file size: nothing waits for the whole input. `output` is ended when the message is complete;
 * on failure both streams are destroyed, so a partial message never looks finished.
 *
 * @param input plaintext bytes (e.g. fs.createReadStream of the packet)
 * @param output destination of the binary message (e.g. fs.createWriteStream, an encrypted vault file)
 * @param options recipients' public keys, the practice's private key, the literal-data filename (no PHI)
 * @param onProgress called after each chunk with bytes read and written so far
 * @returns total plaintext bytes read and message bytes written
 * @throws AppError KEY_INVALID when a key cannot be read or is not usable (no valid encryption subkey,
 *   expired, revoked; a signing key that is not a private key); OPENPGP_ENCRYPTION_FAILED when reading,
 *   encrypting or writing fails midway
 * @source RFC 4880 §11.3 (message composition), §5.13 (SEIPD with MDC), §5.4 (one-pass signature);
 *   45 CFR 164.312(e)(2)(ii) (encryption of ePHI in transit), 164.312(c)(1) (integrity)
 */
export async function encryptAndSignStream(
  input: Readable,
  output: Writable,
  options: EncryptAndSignOptions,
  onProgress?: (p: StreamProgress) => void,
): Promise<StreamProgress> {
  if (options.encryptionKeysArmored.length === 0) throw new AppError('VALIDATION_FAILED', 'At least one recipient key is needed to encrypt.');
  // A read error while the keys are read is seen by the loop below (the stream stays errored); never unhandled.
  input.on('error', () => undefined);
  let encryptionKeys: openpgp.Key[];
  let signingKey: openpgp.PrivateKey;
  try {
    encryptionKeys = await Promise.all(options.encryptionKeysArmored.map((armoredKey) => openpgp.readKey({ armoredKey })));
    signingKey = await openpgp.readPrivateKey({ armoredKey: options.signingKeyArmored });
  } catch {
    input.destroy();
    output.destroy();
    throw new AppError('KEY_INVALID', 'A key needed to encrypt or sign the release could not be read.');
  }

  const progress: StreamProgress = { bytesIn: 0, bytesOut: 0 };
  let make: Awaited<ReturnType<typeof prepareEncryptAndSign>>;
  try {
    make = await prepareEncryptAndSign({ encryptionKeys, signingKey, filename: options.filename }, { worker: true });
  } catch (e) {
    input.destroy();
    output.destroy();
    throw keyError(e);
  }
  if (make) {
    try {
      await nativeLoop(input, output, make, progress, onProgress);
    } catch {
      input.destroy();
      output.destroy();
      throw new AppError('OPENPGP_ENCRYPTION_FAILED', 'The release could not be encrypted: reading the file or writing the encrypted copy failed.');
    }
    return { ...progress };
  }

  const countIn = new Transform({
    highWaterMark: CHUNK_BYTES,
    transform(chunk: Buffer, _enc, done) {
      progress.bytesIn += chunk.length;
      done(null, chunk);
    },
  });
  const countOut = new Transform({
    highWaterMark: CHUNK_BYTES,
    transform(chunk: Buffer, _enc, done) {
      progress.bytesOut += chunk.length;
      onProgress?.({ ...progress });
      done(null, chunk);
    },
  });
  // pipeline (not pipe): a read error destroys countIn, which errors the web stream and so openpgp's encryption.
  pipeline(input, countIn).catch(() => undefined);

  let encrypted: ReadableStream<Uint8Array>;
  try {
    const plain = Readable.toWeb(countIn) as unknown as ReadableStream<Uint8Array>;
    const message = await openpgp.createMessage({ binary: plain, filename: options.filename, format: 'binary' });
    encrypted = (await openpgp.encrypt({
      message,
      encryptionKeys,
      signingKeys: signingKey,
      format: 'binary',
      config: GNUPG22_COMPATIBLE_CONFIG,
    })) as unknown as ReadableStream<Uint8Array>;
  } catch (e) {
    input.destroy();
    output.destroy();
    throw keyError(e);
  }
  try {
    await pipeline(Readable.fromWeb(encrypted as unknown as import('node:stream/web').ReadableStream<Uint8Array>, { highWaterMark: CHUNK_BYTES }), countOut, output);
  } catch {
    input.destroy();
    output.destroy();
    throw new AppError('OPENPGP_ENCRYPTION_FAILED', 'The release could not be encrypted: reading the file or writing the encrypted copy failed.');
  }
  return { ...progress };
}

/**
 * The native path without stream plumbing: read a chunk, feed the writer, hand its output to `output` in one
 * corked batch (one writev for a file), wait for 'drain' only when the destination's buffer is full. Reading
 * ahead (the input's own buffer) and writing (the thread pool, for files) overlap the encryption.
 * @throws the input's or the output's error
 */
async function nativeLoop(
  input: Readable,
  output: Writable,
  make: (emit: (b: Buffer) => void) => EncryptSignWriterT,
  progress: StreamProgress,
  onProgress?: (p: StreamProgress) => void,
): Promise<void> {
  let outErr: unknown = null;
  const onErr = (e: unknown) => {
    outErr ??= e;
  };
  output.on('error', onErr);
  let batch: Buffer[] = [];
  const w = make((b) => batch.push(b));
  const flush = async () => {
    if (outErr) throw outErr;
    if (batch.length === 0) return;
    const out = batch;
    batch = [];
    let ok = true;
    output.cork();
    for (const b of out) {
      progress.bytesOut += b.length;
      ok = output.write(b);
    }
    output.uncork();
    onProgress?.({ ...progress });
    if (!ok && !outErr) await once(output, 'drain');
  };
  try {
    await flush();
    for await (const chunk of input as AsyncIterable<Buffer>) {
      progress.bytesIn += chunk.length;
      w.update(chunk);
      // The cipher runs on a worker: let at most IN_FLIGHT bytes wait for it, so memory stays bounded.
      const waiting = w.waitBelow(IN_FLIGHT_BYTES);
      if (waiting) await waiting;
      await flush();
    }
    await w.end();
    await flush();
    output.end();
    await finished(output);
    if (outErr) throw outErr;
  } catch (e) {
    w.abort();
    throw e;
  } finally {
    output.off('error', onErr);
  }
}

/** openpgp's error while preparing keys -> AppError. Its texts (docs/toolchain.md) may quote a user id: map, never pass on. */
function keyError(e: unknown): AppError {
  const msg = e instanceof Error ? e.message : '';
  if (/encryption key|expired|revoked|signing key|private key|decrypted/i.test(msg)) {
    return new AppError('KEY_INVALID', 'A recipient key cannot receive encrypted messages, or the practice key cannot sign. Check the keys on file.');
  }
  return new AppError('OPENPGP_ENCRYPTION_FAILED', 'The release could not be encrypted.');
}
