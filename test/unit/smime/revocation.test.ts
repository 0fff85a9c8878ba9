/**
 * Revocation of recipient S/MIME certificates by CRL, over a CA made with `openssl ca` in the test that revokes one
 * of two certificates: CRLs imported as PEM or DER, fetched from the certificate's distribution point on a local
 * HTTP server (and then cached), an unreachable or silent distribution point, a stale CRL, a CRL signed by another key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCrlFetch, readCrl, type StoredCrl } from '../../../src/main/services/smime/revocation';
import { inspectRecipientCertificate } from '../../../src/main/services/smime/x509';
import { requireTool } from '../../support/tools';
import { revocationPki, type RevocationPki } from '../../support/smime-certs';

const HAVE = requireTool('openssl');
const EMAIL = 'records@hospital.example';
const DAY = 86_400_000;

describe.skipIf(!HAVE)('recipient certificate revocation (CRL)', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  let online: RevocationPki; // CDP on the local server
  let offline: RevocationPki; // CDP on a closed port
  let silent: RevocationPki; // CDP that never answers
  let noCdp: RevocationPki;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/silent.crl') return; // never answers
      hits++;
      if (req.url === '/ca.crl') {
        res.writeHead(200, { 'content-type': 'application/pkix-crl' });
        res.end(online.crlDer);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    online = revocationPki(`${base}/ca.crl`, EMAIL);
    // Port 9 (discard) on loopback is closed here: the connection is refused at once.
    offline = revocationPki('http://127.0.0.1:9/ca.crl', EMAIL);
    silent = revocationPki(`${base}/silent.crl`, EMAIL);
    noCdp = revocationPki(null, EMAIL);
  }, 120_000);
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const now = () => new Date(Date.now() + 60_000);
  const inspect = (pki: RevocationPki, which: 'good' | 'revoked', crls: StoredCrl[], fetch: ReturnType<typeof httpCrlFetch> | null, at = now()) =>
    inspectRecipientCertificate(pki[which].cert, EMAIL, at, [pki.caPem], { crls, fetch });

  it('an imported CRL (PEM or DER) refuses the revoked certificate naming its serial number and date, not its holder; the other is good', async () => {
    for (const crl of [readCrl(noCdp.crlPem, 'import', null), readCrl(new Uint8Array(noCdp.crlDer), 'import', null)]) {
      const e = await inspect(noCdp, 'revoked', [crl], null).catch((x: { code: string; message: string }) => x);
      expect(e).toMatchObject({ code: 'CERT_REVOKED' });
      const message = (e as { message: string }).message;
      expect(message).toContain(`serial number ${noCdp.revokedSerial}`);
      expect(message).toMatch(/revoked by its issuer on \d{4}-\d{2}-\d{2}, reason: key compromise \(checked \d{4}-\d{2}-\d{2}\)/);
      expect(message).not.toMatch(/Records Office|hospital\.example/);
      const good = await inspect(noCdp, 'good', [crl], null);
      expect(good.revocation).toMatchObject({ status: 'good', crlSha256: crl.sha256 });
      expect(good.warnings).toEqual([]);
    }
  });

  it('without a CRL or distribution point nothing is checked and nothing is warned', async () => {
    const f = await inspect(noCdp, 'revoked', [], httpCrlFetch(1000));
    expect(f.revocation.status).toBe('not_checked');
    expect(f.warnings).toEqual([]);
  });

  it('online: the distribution point’s CRL is fetched over HTTP, refuses the revoked certificate, and is returned to be cached with its nextUpdate', async () => {
    const fetch = httpCrlFetch(2000);
    await expect(inspect(online, 'revoked', [], fetch)).rejects.toMatchObject({ code: 'CERT_REVOKED' });
    const before = hits;
    const good = await inspect(online, 'good', [], fetch);
    expect(hits).toBe(before + 1);
    expect(good.revocation.status).toBe('good');
    expect(good.revocation.fetched).toHaveLength(1);
    const cached = good.revocation.fetched[0]!;
    expect(cached).toMatchObject({ source: 'fetch', url: `${base}/ca.crl` });
    expect(new Date(cached.nextUpdate!).getTime()).toBeGreaterThan(Date.now() + 6 * DAY);
    // With the cached CRL still current, nothing is fetched again; the revoked one is still refused.
    const again = await inspect(online, 'good', [cached], fetch);
    expect(again.revocation).toMatchObject({ status: 'good', fetched: [] });
    await expect(inspect(online, 'revoked', [cached], fetch)).rejects.toMatchObject({ code: 'CERT_REVOKED' });
    expect(hits).toBe(before + 1);
  });

  it('an unreachable distribution point, a silent one (timeout) and being offline make the status unknown: a warning, not a refusal', async () => {
    const refused = await inspect(offline, 'good', [], httpCrlFetch(2000));
    expect(refused.revocation).toMatchObject({ status: 'unknown' });
    expect(refused.revocation.reason).toMatch(/could not be fetched/);
    expect(refused.warnings.map((w) => w.code)).toEqual(['CERT_REVOCATION_UNKNOWN']);
    // The revoked certificate cannot be told apart without its CRL: the same warning.
    expect((await inspect(offline, 'revoked', [], httpCrlFetch(2000))).revocation.status).toBe('unknown');

    const t0 = Date.now();
    const timedOut = await inspect(silent, 'good', [], httpCrlFetch(400));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(timedOut.revocation.status).toBe('unknown');

    const noNetwork = await inspect(online, 'good', [], null);
    expect(noNetwork.revocation.status).toBe('unknown');
    expect(noNetwork.revocation.reason).toMatch(/offline/);
  });

  it('a CRL past its nextUpdate is stale: unknown when no newer one can be fetched, but a revocation it lists still refuses', async () => {
    const crl = readCrl(offline.crlPem, 'import', null);
    const later = new Date(Date.now() + 8 * DAY); // the CRL is good for 7 days, the certificates for 20
    const stale = await inspect(offline, 'good', [crl], httpCrlFetch(1000), later);
    expect(stale.revocation.status).toBe('unknown');
    expect(stale.revocation.reason).toMatch(/could not be fetched/);
    const staleOffline = await inspect(offline, 'good', [crl], null, later);
    expect(staleOffline.revocation.reason).toMatch(/out of date \(its next update was due \d{4}-\d{2}-\d{2}\)/);
    await expect(inspect(offline, 'revoked', [crl], null, later)).rejects.toMatchObject({ code: 'CERT_REVOKED' });
  });

  it('a CRL signed by another key under the same issuer name does not count (neither revokes nor vouches)', async () => {
    const forged = readCrl(noCdp.forgedCrlPem, 'import', null);
    const f = await inspect(noCdp, 'good', [forged], null);
    expect(f.revocation.status).toBe('unknown');
    expect(f.revocation.reason).toMatch(/not signed by the issuer/);
  });

  it('refuses a file that is not a CRL with CRL_INVALID', () => {
    expect(() => readCrl('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----', 'import', null)).toThrow(expect.objectContaining({ code: 'CRL_INVALID' }));
    expect(() => readCrl(new Uint8Array([1, 2, 3]), 'import', null)).toThrow(expect.objectContaining({ code: 'CRL_INVALID' }));
  });
});
