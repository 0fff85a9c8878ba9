import { migration as m0001 } from './0001-practice-core';
import { migration as m0002 } from './0002-shared-queue';
import { migration as m0003 } from './0003-request-sync';
import { migration as m0004 } from './0004-queue-message-chunks';
import { migration as m0005 } from './0005-staff-directory';
import { migration as m0006 } from './0006-record-sync';
import { migration as m0007 } from './0007-queue-withdraw-bounces';
import type { PracticeMigration } from './types';

export type { PracticeMigration } from './types';

/**
 * The practice store's migrations, one file each (`000N-<name>.ts`), in order. Add a new one at the end; never
 * change one that has shipped. Numbers: 0001 practice core (pg-store), 0002 shared queue (pg-queue), 0003 request
 * synchronisation (pg-sync), 0004 stored messages as sealed chunks (pg-send), 0005 practice staff directory and key boxes (pg-staff),
 * 0006 the rest of a request and practice-wide references (pg-records), 0007 withdrawing from the shared outbox and bounces
 * recorded on it (pg-route).
 */
export const practiceMigrations: PracticeMigration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007];

/** The latest schema version this build knows. */
export const PRACTICE_LATEST_VERSION = practiceMigrations.reduce((m, x) => Math.max(m, x.version), 0);
