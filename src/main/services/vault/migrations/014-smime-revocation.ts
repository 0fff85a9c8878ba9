import type { Migration } from './types';

/**
 * S/MIME revocation and algorithms (issue 18, second part):
 *
 * - smime_crls: certificate revocation lists (RFC 5280 §5) the practice imported (PEM/DER) or ReleaseDesk fetched
 *   from a certificate's CRL distribution point: the DER, its SHA-256 (one row per distinct CRL), the issuer's name,
 *   thisUpdate / nextUpdate, where it came from ('import' or 'fetch', with the URL) and when. Rows are kept: a newer
 *   CRL from the same issuer supersedes an older one by its thisUpdate, nothing is deleted.
 * - recipient_certificates.revocation_status: what the last check found — 'good' (a current CRL does not list it),
 *   'unknown' (its CRL could not be fetched or is past nextUpdate), 'not_checked' (no CRL is known for its issuer and
 *   it names no distribution point); revocation_checked_at; revocation_unknown_accepted (staff accepted an unknown
 *   status when confirming, like an untrusted chain). A confirmed certificate with an unknown status must have it.
 * - recipient_certificates.modern_algorithms: staff recorded that the recipient's program reads RSA-OAEP and
 *   AES-GCM (AuthEnvelopedData, RFC 5083/5084); 0 (the default) sends AES-256-CBC with RSA PKCS#1 v1.5.
 */
export const migration: Migration = {
  version: 14,
  name: 'S/MIME: CRLs, revocation status, per-certificate algorithms',
  up(db) {
    db.exec(`
      CREATE TABLE smime_crls (
        sha256       TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        issuer       TEXT NOT NULL,
        der          BLOB NOT NULL,
        this_update  TEXT NOT NULL,
        next_update  TEXT,
        source       TEXT NOT NULL CHECK (source IN ('import', 'fetch')),
        url          TEXT,
        added_by     TEXT NOT NULL,
        added_at     TEXT NOT NULL,
        CHECK ((source = 'fetch') = (url IS NOT NULL))
      ) STRICT;
      CREATE INDEX smime_crls_issuer ON smime_crls(issuer, this_update);

      ALTER TABLE recipient_certificates ADD COLUMN revocation_status TEXT NOT NULL DEFAULT 'not_checked'
        CHECK (revocation_status IN ('good', 'unknown', 'not_checked'));
      ALTER TABLE recipient_certificates ADD COLUMN revocation_checked_at TEXT;
      ALTER TABLE recipient_certificates ADD COLUMN revocation_unknown_accepted INTEGER NOT NULL DEFAULT 0
        CHECK (revocation_unknown_accepted IN (0, 1));
      ALTER TABLE recipient_certificates ADD COLUMN modern_algorithms INTEGER NOT NULL DEFAULT 0
        CHECK (modern_algorithms IN (0, 1));
      CREATE TRIGGER recipient_certificates_revocation_accepted
        BEFORE UPDATE OF confirmed_at, revocation_status, revocation_unknown_accepted ON recipient_certificates
        WHEN NEW.confirmed_at IS NOT NULL AND NEW.revocation_status = 'unknown' AND NEW.revocation_unknown_accepted = 0
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: unknown revocation status not accepted'); END;
    `);
  },
};
