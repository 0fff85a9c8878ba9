import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { RequestStatus } from '../../../shared/compliance';
import { AppError } from '../../../shared/errors';
import type { SqlEngine } from './engine';
import { blindIndex, openJson, sealJson, type PracticeKeys, type SealPlace } from './sealing';

/**
 * Access requests in the practice store (issue #17). The server holds only what the queue needs in clear — the
 * request's id, status, received and due dates (45 CFR 164.524(b)(2): due 30 calendar days after receipt) and
 * timestamps — plus the request's PHI sealed in the workstation (sealing.ts; 45 CFR 164.312(a)(2)(iv), 164.312(e)(1))
 * and blind indexes of the MRN and the requester's email for lookups.
 */

/** The request's PHI: sealed as one JSON value in `practice_requests.sealed`. */
export const PracticeRequestPhi = z.object({
  patientName: z.string().trim().min(1).max(200),
  /** ISO calendar date, YYYY-MM-DD. */
  dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  mrn: z.string().trim().min(1).max(64).nullable(),
  requesterName: z.string().trim().min(1).max(200).nullable(),
  requesterEmail: z.string().trim().min(3).max(254).nullable(),
  /** What was asked for, in the requester's words. */
  description: z.string().max(4000),
});
export type PracticeRequestPhi = z.infer<typeof PracticeRequestPhi>;

/** The non-PHI metadata stored in clear. Dates are YYYY-MM-DD (the practice's time zone); timestamps ISO 8601. */
export interface PracticeRequestMeta {
  id: string;
  status: RequestStatus;
  receivedOn: string;
  dueOn: string;
  createdAt: string;
  updatedAt: string;
}

/** A request as listed: metadata plus the still-sealed PHI (open it with {@link openRequest}). */
export interface SealedPracticeRequest extends PracticeRequestMeta {
  keyId: string;
  sealed: Buffer;
}

/** A request opened in the workstation. */
export interface PracticeRequest extends PracticeRequestMeta {
  phi: PracticeRequestPhi;
}

/** Where in a listing to continue: after this (due date, id). */
export interface RequestCursor {
  dueOn: string;
  id: string;
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * What a new request needs: its status (default `received`), received and due dates (YYYY-MM-DD, due on or after
 * received; 45 CFR 164.524(b)(2)), the write's timestamp and the PHI (sealed before it is written).
 */
export const NewPracticeRequest = z
  .object({
    status: RequestStatus.default('received'),
    receivedOn: z.string().regex(DATE),
    dueOn: z.string().regex(DATE),
    /** ISO 8601 timestamp of the write. */
    at: z.string().datetime({ offset: true }),
    phi: PracticeRequestPhi,
  })
  .refine((r) => r.dueOn >= r.receivedOn, { message: 'dueOn before receivedOn', path: ['dueOn'] });
export type NewPracticeRequest = z.input<typeof NewPracticeRequest>;

const place = (id: string): SealPlace => ({ table: 'practice_requests', column: 'sealed', rowId: id });

interface Row {
  id: string;
  status: string;
  received_on: string;
  due_on: string;
  created_at: string;
  updated_at: string;
  key_id: string;
  sealed: Buffer;
}

const COLUMNS = 'id, status, received_on, due_on, created_at, updated_at, key_id, sealed';

function toSealed(r: Row): SealedPracticeRequest {
  return {
    id: r.id,
    status: RequestStatus.parse(r.status),
    receivedOn: r.received_on,
    dueOn: r.due_on,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    keyId: r.key_id,
    sealed: Buffer.from(r.sealed),
  };
}

/** A new request id: `preq_` and 24 random hex characters (no PHI, not guessable). */
export function newPracticeRequestId(): string {
  return `preq_${randomBytes(12).toString('hex')}`;
}

function validated(input: NewPracticeRequest, n?: number): z.output<typeof NewPracticeRequest> {
  const parsed = NewPracticeRequest.safeParse(input);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    const which = n === undefined ? 'The request' : `Request ${n + 1}`;
    throw new AppError('VALIDATION_FAILED', `${which} could not be stored: check ${fields || 'the form'}.`, { fields });
  }
  return parsed.data;
}

/** The ten column values of one new request, PHI sealed and indexed. */
function rowValues(keys: PracticeKeys, r: z.output<typeof NewPracticeRequest>): { meta: PracticeRequestMeta; values: unknown[] } {
  const id = newPracticeRequestId();
  const sealed = sealJson(keys, place(id), r.phi);
  const mrnIndex = r.phi.mrn ? blindIndex(keys, 'mrn', r.phi.mrn) : null;
  const emailIndex = r.phi.requesterEmail ? blindIndex(keys, 'email', r.phi.requesterEmail) : null;
  return {
    meta: { id, status: r.status, receivedOn: r.receivedOn, dueOn: r.dueOn, createdAt: r.at, updatedAt: r.at },
    values: [id, r.status, r.receivedOn, r.dueOn, r.at, r.at, keys.keyId, sealed, mrnIndex, emailIndex],
  };
}

const INSERT = 'INSERT INTO practice_requests (id, status, received_on, due_on, created_at, updated_at, key_id, sealed, mrn_index, email_index) VALUES ';

/**
 * Store a new request: PHI sealed (AAD bound to this row), MRN and email blind-indexed, metadata in clear.
 * @param input dates YYYY-MM-DD (due on or after received), `at` ISO 8601, `phi` as {@link PracticeRequestPhi}
 * @returns the stored metadata (with the new id)
 * @throws AppError VALIDATION_FAILED (naming the field, never its value); store errors (engine.ts)
 */
export async function createPracticeRequest(engine: SqlEngine, keys: PracticeKeys, input: NewPracticeRequest): Promise<PracticeRequestMeta> {
  const { meta, values } = rowValues(keys, validated(input));
  await engine.run(`${INSERT}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, values);
  return meta;
}

/**
 * Store many new requests at once (an import, or a workstation synchronising what it queued offline): all are
 * validated first, then written in one transaction, 100 rows per statement (one round trip per 100 on PostgreSQL).
 * @returns the stored metadata, in input order
 * @throws AppError VALIDATION_FAILED naming the request's position and field (nothing stored); store errors
 */
export async function createPracticeRequests(engine: SqlEngine, keys: PracticeKeys, inputs: readonly NewPracticeRequest[]): Promise<PracticeRequestMeta[]> {
  const rows = inputs.map((input, n) => validated(input, n)).map((r) => rowValues(keys, r));
  await engine.transaction(async (tx) => {
    for (let start = 0; start < rows.length; start += 100) {
      const chunk = rows.slice(start, start + 100);
      const tuples = chunk.map((_, k) => `(${Array.from({ length: 10 }, (_, c) => `$${k * 10 + c + 1}`).join(', ')})`).join(', ');
      await tx.run(INSERT + tuples, chunk.flatMap((r) => r.values));
    }
  });
  return rows.map((r) => r.meta);
}

/**
 * Open a listed request in the workstation.
 * @throws AppError PRACTICE_KEY_WRONG (sealed under another key) | PRACTICE_DATA_TAMPERED (changed, moved or damaged)
 */
export function openRequest(keys: PracticeKeys, row: SealedPracticeRequest): PracticeRequest {
  const { keyId: _k, sealed, ...meta } = row;
  return { ...meta, phi: openJson(keys, place(row.id), sealed, PracticeRequestPhi) };
}

/**
 * One request, still sealed, or undefined.
 * @throws store errors
 */
export async function getSealedPracticeRequest(engine: SqlEngine, id: string): Promise<SealedPracticeRequest | undefined> {
  const r = await engine.one<Row>(`SELECT ${COLUMNS} FROM practice_requests WHERE id = $1`, [id]);
  return r ? toSealed(r) : undefined;
}

/**
 * One request, opened.
 * @throws AppError NOT_FOUND; as {@link openRequest}; store errors
 */
export async function getPracticeRequest(engine: SqlEngine, keys: PracticeKeys, id: string): Promise<PracticeRequest> {
  const row = await getSealedPracticeRequest(engine, id);
  if (!row) throw new AppError('NOT_FOUND', 'That request is not in the practice database.');
  return openRequest(keys, row);
}

/**
 * One page of requests ordered by due date, then id (keyset pagination: stable while others add requests).
 * @param page `limit` 1..500 (default 50); `after` the previous page's `next`
 * @returns the rows (still sealed: open the ones shown) and the cursor of the next page (null after the last)
 * @throws AppError VALIDATION_FAILED for a limit out of range; store errors
 */
export async function listPracticeRequestsPage(engine: SqlEngine, page: { limit?: number; after?: RequestCursor | null } = {}): Promise<{ rows: SealedPracticeRequest[]; next: RequestCursor | null }> {
  const limit = page.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AppError('VALIDATION_FAILED', 'A page holds 1 to 500 requests.');
  const rows = page.after
    ? await engine.all<Row>(`SELECT ${COLUMNS} FROM practice_requests WHERE due_on > $1 OR (due_on = $1 AND id > $2) ORDER BY due_on, id LIMIT $3`, [page.after.dueOn, page.after.id, limit])
    : await engine.all<Row>(`SELECT ${COLUMNS} FROM practice_requests ORDER BY due_on, id LIMIT $1`, [limit]);
  const last = rows.at(-1);
  return { rows: rows.map(toSealed), next: rows.length === limit && last ? { dueOn: last.due_on, id: last.id } : null };
}

/**
 * Requests whose MRN matches (after normalisation: case, spaces and punctuation ignored), by blind index; ordered
 * by due date.
 * @returns still sealed (the caller opens them)
 */
export async function findPracticeRequestsByMrn(engine: SqlEngine, keys: PracticeKeys, mrn: string): Promise<SealedPracticeRequest[]> {
  const ix = blindIndex(keys, 'mrn', mrn);
  if (!ix) return [];
  return (await engine.all<Row>(`SELECT ${COLUMNS} FROM practice_requests WHERE mrn_index = $1 ORDER BY due_on, id`, [ix])).map(toSealed);
}

/**
 * Requests whose requester email matches (trimmed, case-insensitive), by blind index; ordered by due date.
 * @returns still sealed (the caller opens them)
 */
export async function findPracticeRequestsByEmail(engine: SqlEngine, keys: PracticeKeys, email: string): Promise<SealedPracticeRequest[]> {
  const ix = blindIndex(keys, 'email', email);
  if (!ix) return [];
  return (await engine.all<Row>(`SELECT ${COLUMNS} FROM practice_requests WHERE email_index = $1 ORDER BY due_on, id`, [ix])).map(toSealed);
}

/**
 * Set a request's status (the metadata the queue works on; PHI untouched).
 * @throws AppError NOT_FOUND; VALIDATION_FAILED for an unknown status; store errors
 */
export async function setPracticeRequestStatus(engine: SqlEngine, id: string, status: RequestStatus, at: string): Promise<void> {
  if (!RequestStatus.safeParse(status).success) throw new AppError('VALIDATION_FAILED', 'That request status is not known.');
  const { changes } = await engine.run('UPDATE practice_requests SET status = $1, updated_at = $2 WHERE id = $3', [status, at, id]);
  if (changes === 0) throw new AppError('NOT_FOUND', 'That request is not in the practice database.');
}
