import type { Database } from 'better-sqlite3-multiple-ciphers';
import { migration as m001 } from './migrations/001-core';
import { migration as m002 } from './migrations/002-requests';
import { migration as m003 } from './migrations/003-delivery-methods';
import { migration as m004 } from './migrations/004-input-hygiene';
import { migration as m005 } from './migrations/005-release-outbox';
import { migration as m006 } from './migrations/006-audit-reports';
import { migration as m007 } from './migrations/007-representative-authority-documents';
import { migration as m008 } from './migrations/008-patient-checks';
import { migration as m009 } from './migrations/009-bounce-reports';
import { migration as m010 } from './migrations/010-retention';
import { migration as m011 } from './migrations/011-staff-accounts';
import { migration as m012 } from './migrations/012-smime-certificates';
import { migration as m013 } from './migrations/013-address-confirmations';
import { migration as m014 } from './migrations/014-smime-revocation';
import { migration as m015 } from './migrations/015-outbox-chunks';
import { migration as m016 } from './migrations/016-practice-link';
import { migration as m017 } from './migrations/017-practice-route';
import { migration as m018 } from './migrations/018-practice-staff';
import { migration as m019 } from './migrations/019-practice-record-sync';
import type { Migration } from './migrations/types';

export type { Migration } from './migrations/types';

/**
 * Numbered schema migrations, one file each in `./migrations/` (see Migration). Add a new one at the end.
 */
export const migrations: Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013, m014, m015, m016, m017, m018, m019];

/** Latest schema version this build knows. */
export const LATEST_VERSION = migrations.reduce((m, x) => Math.max(m, x.version), 0);

/**
 * Apply every migration above the database's `user_version`, each in its own transaction.
 * @throws Error when the database is newer than this build (downgrade is not supported).
 */
export function migrate(db: Database, upTo: number = LATEST_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) throw new Error(`vault schema ${current} is newer than this build (${LATEST_VERSION})`);
  for (const m of migrations.filter((x) => x.version > current && x.version <= upTo).sort((a, b) => a.version - b.version)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
