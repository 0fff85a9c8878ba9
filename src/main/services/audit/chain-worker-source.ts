/**
 * The worker thread that verifies one range of the audit chain on its own read-only SQLCipher connection:
 * the steps of {@link verifyRange} (chain-range.ts) in plain CommonJS JavaScript.
 *
 * Why a source text run with `new Worker(source, { eval: true })` rather than a worker file: the same text
 * runs unchanged in Electron's main process (the Vite build inlines it into .vite/build/main.js; there is no
 * second entry to bundle, copy or unpack from the asar archive), under tsx (bench) and under vitest, none of
 * which can start a `.ts` worker file the same way. It needs only Node built-ins and the vault module, whose
 * absolute path the parent resolves (`createRequire(import.meta.url)`, as packaging/qpdf.ts does) and passes
 * in `workerData`.
 *
 * workerData: `{ modulePath, file, keyPragmas, chainKey (Uint8Array), lo, hi }`.
 * Posts `{ ok: true, checked, problem }` (see RangeResult) or `{ ok: false, code }` (an error code only:
 * no message text, so nothing from the vault can leak through it).
 */
import { EVENT_BEFORE_SQL, SCAN_EVENT_FIELDS_SQL, SCAN_RANGE_SQL } from './chain-repo';
import { GENESIS } from './chain-range';

/** The worker's source (CommonJS, Node built-ins and the vault module only). */
export const CHAIN_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData: w } = require('node:worker_threads');
const { createHmac, createSecretKey } = require('node:crypto');
let db;
try {
  const Database = require(w.modulePath);
  db = new Database(w.file, { readonly: true, fileMustExist: true });
  for (const p of w.keyPragmas) db.pragma(p);
  const before = w.lo > 0 ? db.prepare(${JSON.stringify(EVENT_BEFORE_SQL)}).get(w.lo) : undefined;
  let prev = before ? before.hash : ${JSON.stringify(GENESIS)};
  let prevSeq = before ? before.seq : 0;
  let checked = 0;
  let problem = null;
  const key = createSecretKey(Buffer.from(w.chainKey));
  const fields = db.prepare(${JSON.stringify(SCAN_EVENT_FIELDS_SQL)});
  const exactlyLinked = (r) => {
    const f = [prev, r.at, r.actor, r.action, r.outcome, r.subject_type, r.subject_id, r.detail_json];
    if (r.actor_id) f.push(r.actor_id);
    return r.prev_hash === prev && createHmac('sha256', key).update(JSON.stringify(f)).digest('hex') === r.hash;
  };
  for (const row of db.prepare(${JSON.stringify(SCAN_RANGE_SQL)}).raw(true).iterate(w.lo, w.hi)) {
    const seq = row[0], body = row[1], hash = row[2];
    if (seq !== prevSeq + 1) { problem = { kind: 'gap', seq, prevSeq }; break; }
    const fast = body.startsWith(prev, 2) && body.charCodeAt(2 + prev.length) === 0x22 && createHmac('sha256', key).update(body).digest('hex') === hash;
    if (!fast && !exactlyLinked(fields.get(seq))) { problem = { kind: 'altered', seq }; break; }
    checked++;
    prev = hash;
    prevSeq = seq;
  }
  parentPort.postMessage({ ok: true, checked, problem });
} catch (e) {
  parentPort.postMessage({ ok: false, code: (e && typeof e.code === 'string') ? e.code : 'WORKER_FAILED' });
} finally {
  if (db) db.close();
}
`;
