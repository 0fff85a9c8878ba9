/**
 * Practice migration 7: a release withdrawn from the shared outbox, and bounces recorded on it (issue #17).
 *
 *   queue_transmissions.closed_at / closed_reason / closed_by
 *                           a transmission taken out of the shared outbox before any part left the practice
 *                           ('withdrawn': back to draft on its workstation; 'cancelled'), when and by whom (a staff
 *                           user's id, never PHI); its stored message bytes are erased (cleared_at), the rows stay.
 *   queue_parts.bounce_status / bounced_at
 *                           a delivery status notification (RFC 3464) said this part was not delivered: its enhanced
 *                           status code (RFC 3463, e.g. '5.1.1') and when it was recorded — by whichever workstation
 *                           read the report from its bounce mailbox; the workstation the release belongs to brings it
 *                           into its vault like the other outcomes.
 *   queue_bounce_reports    the reports applied to the shared outbox, one row per report (its digest: SHA-256 over
 *                           ENVID, original Message-ID, Reporting-MTA and the recipient groups' codes — nothing of the
 *                           report itself), so a report read by two workstations is applied once: the part, how it
 *                           was matched, Action and Status, who read it and when. Never deleted.
 * @source 45 CFR 164.312(b) audit controls, 164.528 accounting of disclosures, 164.530(j) retention; RFC 3464, RFC 3463
 */
import { sqlTypes, type Dialect } from '../engine';
import { QUEUE_NEVER_DELETED, refuseRowChange } from './statement-parts';
import type { PracticeMigration } from './types';

/**
 * The statements of migration 7 for `dialect`, in order (migrate.ts applies them in one transaction).
 * @param dialect 'sqlite' or 'postgres'
 * @returns SQL statements
 */
function up(dialect: Dialect): string[] {
  const { key: k } = sqlTypes(dialect);
  const out = [
    `ALTER TABLE queue_transmissions ADD COLUMN closed_at ${k}`,
    `ALTER TABLE queue_transmissions ADD COLUMN closed_reason ${k}`,
    `ALTER TABLE queue_transmissions ADD COLUMN closed_by ${k}`,
    `ALTER TABLE queue_parts ADD COLUMN bounce_status ${k}`,
    `ALTER TABLE queue_parts ADD COLUMN bounced_at ${k}`,
    `CREATE TABLE queue_bounce_reports (
       digest ${k} PRIMARY KEY,
       received_at ${k} NOT NULL,
       reported_by ${k} NOT NULL,
       matched_by ${k} NOT NULL,
       transmission_id ${k} NOT NULL REFERENCES queue_transmissions (id),
       part INTEGER NOT NULL,
       action ${k} NOT NULL,
       status ${k} NOT NULL,
       outcome ${k} NOT NULL
     )`,
    'CREATE INDEX queue_bounce_reports_part ON queue_bounce_reports (transmission_id, part)',
  ];
  out.push(refuseRowChange(dialect, 'queue_bounce_reports', 'delete', 'queue_refuse_delete', QUEUE_NEVER_DELETED));
  return out;
}

/** Migration 7 of the practice store: withdrawing from the shared outbox, bounces recorded on it (see the module comment). */
export const migration: PracticeMigration = { version: 7, name: 'queue-withdraw-bounces', up };
