import type { Migration } from './types';

/**
 * S/MIME (issue 18): recipient certificates per release, the practice's own S/MIME certificate, and 'smime' as a
 * delivery method.
 *
 * - recipient_certificates: the certificate (and the issuers that came with it) imported for a release's recipient,
 *   the address it was checked for, its SHA-256 fingerprint, whether its chain ended in a trusted root, and staff's
 *   confirmation of the fingerprint with the recipient (who, when; an untrusted chain is confirmed only with
 *   `untrusted_accepted`). One per release; replaced by a new import (which clears the confirmation).
 * - practice_smime_certificates: like practice_keys — the certificate, its unencrypted PKCS#8 key (inside the
 *   encrypted vault only), self-made or imported (PKCS#12), one active.
 * - releases.delivery_method admits 'smime'. SQLite cannot change a CHECK in place: the table is rebuilt from its own
 *   current definition (so columns added by other migrations are kept), its indexes and triggers re-created.
 */
export const migration: Migration = {
  version: 12,
  name: 'S/MIME: recipient certificates, practice certificate, smime delivery method',
  up(db) {
    const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'releases'").get() as { sql: string } | undefined;
    if (!table) throw new Error('migration 12: releases table missing');
    // The delivery_method CHECK list, whatever else an earlier migration added to it: 'smime' goes after OpenPGP.
    const methods = /(delivery_method\s+TEXT\s+CHECK\s*\([^)]*?'openpgp-pgp-mime')/;
    if (!methods.test(table.sql)) throw new Error('migration 12: releases.delivery_method check not recognised');
    const newSql = table.sql.replace(methods, "$1,'smime'");
    const dependents = (
      db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'releases' AND type IN ('index', 'trigger') AND sql IS NOT NULL").all() as Array<{ sql: string }>
    ).map((r) => r.sql);
    db.pragma('defer_foreign_keys = ON');
    db.exec('CREATE TABLE releases_v12 AS SELECT * FROM releases; DROP TABLE releases;');
    db.exec(newSql);
    db.exec('INSERT INTO releases SELECT * FROM releases_v12; DROP TABLE releases_v12;');
    for (const sql of dependents) db.exec(sql);

    db.exec(`
      CREATE TABLE recipient_certificates (
        release_id         TEXT PRIMARY KEY REFERENCES releases(id),
        email              TEXT NOT NULL,
        cert_pem           TEXT NOT NULL,
        chain_json         TEXT NOT NULL,
        fingerprint        TEXT NOT NULL CHECK (length(fingerprint) = 64),
        chain_trusted      INTEGER NOT NULL CHECK (chain_trusted IN (0, 1)),
        imported_by        TEXT NOT NULL,
        imported_at        TEXT NOT NULL,
        confirmed_by       TEXT,
        confirmed_at       TEXT,
        untrusted_accepted INTEGER NOT NULL DEFAULT 0 CHECK (untrusted_accepted IN (0, 1)),
        CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL)),
        CHECK (chain_trusted = 1 OR confirmed_at IS NULL OR untrusted_accepted = 1)
      ) STRICT;

      CREATE TABLE practice_smime_certificates (
        fingerprint  TEXT PRIMARY KEY CHECK (length(fingerprint) = 64),
        cert_pem     TEXT NOT NULL,
        key_pem      TEXT NOT NULL,
        self_signed  INTEGER NOT NULL CHECK (self_signed IN (0, 1)),
        not_after    TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
      ) STRICT;
      CREATE UNIQUE INDEX practice_smime_one_active ON practice_smime_certificates(active) WHERE active = 1;
    `);
  },
};
