/**
 * A real GnuPG 2.2 in a throwaway GNUPGHOME, playing the recipient of a
 * release (or a third party with an odd key). Keys are ed25519/cv25519 and
 * unprotected, so generation takes milliseconds.
 *
 *   const gpg = createGpgHome();
 *   const fpr = gpg.generateKey({ name: 'Zyxwv Testpatient', email: 'zyxwv@example.test' });
 *   const armored = gpg.exportPublic(fpr);
 *   ... gpg.importKey(practicePublicArmored); const { stdout, status } = gpg.decrypt(body);
 *   gpg.cleanup();
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GenerateKeyOptions {
  name: string;
  email: string;
  /** Algorithm of the encryption subkey; `null` makes a signing-only key. Default 'cv25519'. */
  encryption?: 'cv25519' | 'rsa2048' | 'rsa3072' | 'rsa4096' | null;
  /** Expiry of the primary key as gpg understands it ("1d", "2y", "never"). Default "never". */
  primaryExpire?: string;
  /** Expiry of the encryption subkey. Default "never". */
  subkeyExpire?: string;
  /** Pretend to be at this time while creating both keys (gpg `--faked-system-time`, ISO basic "20200101T000000"). */
  fakedSystemTime?: string;
}

export interface DecryptResult {
  /** Decrypted plaintext bytes. */
  stdout: Buffer;
  /** Lines of gpg's machine-readable status output without the "[GNUPG:] " prefix, e.g. "GOODSIG <keyid> <uid>". */
  status: string[];
  /** gpg's exit code (0 = decrypted and, if signed, signature good). */
  exitCode: number;
}

export interface GpgHome {
  home: string;
  /** Run gpg with `--homedir` and batch options; returns stdout. Throws on non-zero exit. */
  run(args: string[], input?: string | Buffer): Buffer;
  /** Generate a key and return its fingerprint (40 upper-case hex). */
  generateKey(opts: GenerateKeyOptions): string;
  /** The armored public key (with all subkeys and signatures). */
  exportPublic(fpr: string): string;
  /** The armored secret key (for the "private key pasted" case). */
  exportSecret(fpr: string): string;
  /** Import an armored key (public or secret, or a revocation certificate). */
  importKey(armored: string): void;
  /** Revoke the primary key using the revocation certificate gpg made at generation time. */
  revokePrimary(fpr: string): void;
  /** Revoke the (first) subkey with `--edit-key ... revkey`. */
  revokeSubkey(fpr: string): void;
  /** Decrypt (and verify) an armored or binary OpenPGP message. */
  decrypt(message: string | Buffer): DecryptResult;
  /** Stop the agent and delete the home directory. */
  cleanup(): void;
}

const BATCH = ['--batch', '--yes', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', ''];

/** Create a fresh GNUPGHOME under os.tmpdir() (mode 0700). Call `cleanup()` when done. */
export function createGpgHome(): GpgHome {
  // Short path: the agent's socket path must stay under ~100 characters.
  const home = mkdtempSync(join(tmpdir(), 'rd-gpg-'));
  const base = ['--homedir', home, ...BATCH];

  const run = (args: string[], input?: string | Buffer): Buffer =>
    execFileSync('gpg', [...base, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });

  const fingerprints = (): string[] =>
    run(['--with-colons', '--list-keys'])
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('fpr:'))
      .map((l) => l.split(':')[9] ?? '');

  const generateKey = (o: GenerateKeyOptions): string => {
    const time = o.fakedSystemTime ? ['--faked-system-time', `${o.fakedSystemTime}!`] : [];
    const before = new Set(fingerprints());
    run([...time, '--quick-gen-key', `${o.name} <${o.email}>`, 'ed25519', 'sign', o.primaryExpire ?? 'never']);
    const fpr = fingerprints().find((f) => !before.has(f));
    if (!fpr) throw new Error('gpg did not create a key');
    const enc = o.encryption === undefined ? 'cv25519' : o.encryption;
    if (enc !== null) run([...time, '--quick-add-key', fpr, enc, 'encr', o.subkeyExpire ?? 'never']);
    return fpr;
  };

  return {
    home,
    run,
    generateKey,
    exportPublic: (fpr) => run(['--armor', '--export', fpr]).toString('utf8'),
    exportSecret: (fpr) => run(['--armor', '--export-secret-keys', fpr]).toString('utf8'),
    importKey: (armored) => {
      run(['--import'], armored);
    },
    revokePrimary: (fpr) => {
      // gpg 2.2 writes a revocation certificate at generation time; its armor line is
      // prefixed with ":" so it cannot be imported by accident.
      const cert = readFileSync(join(home, 'openpgp-revocs.d', `${fpr}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
      run(['--import'], cert);
    },
    revokeSubkey: (fpr) => {
      // Each argument after the fingerprint is one edit command ("key 1" must stay one argument,
      // or gpg reads "key" + "1" and revkey then revokes the whole key). The answers on fd 0:
      // confirm, reason 0 (no reason), empty description, confirm.
      run(['--command-fd', '0', '--edit-key', fpr, 'key 1', 'revkey', 'save'], 'y\n0\n\ny\n');
    },
    decrypt: (message) => {
      const statusFile = join(home, `status-${process.pid}-${Date.now()}.txt`);
      const r = spawnSync('gpg', [...base, '--status-file', statusFile, '--decrypt'], {
        input: message,
        maxBuffer: 256 * 1024 * 1024,
      });
      let status: string[];
      try {
        status = readFileSync(statusFile, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('[GNUPG:] '))
          .map((l) => l.slice('[GNUPG:] '.length));
      } catch {
        status = [];
      }
      rmSync(statusFile, { force: true });
      return { stdout: r.stdout, status, exitCode: r.status ?? -1 };
    },
    cleanup: () => {
      try {
        execFileSync('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore' });
      } catch {
        // agent may not have started
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Write `data` to a file inside the gpg home (handy for debugging a failing test). */
export function writeInHome(g: GpgHome, name: string, data: string | Buffer): string {
  const p = join(g.home, name);
  writeFileSync(p, data);
  return p;
}
