/**
 * The source text of the outbox's WAL checkpoint worker (outbox-checkpointer.ts), run with `eval` in a worker thread
 * (as audit/chain-worker-source.ts: Electron's bundle, tsx and vitest all run it unchanged). It opens its own
 * connection to the vault file with the key pragmas it is given (never logged, never sent back), checks it can read,
 * and then only runs PASSIVE checkpoints when asked ('checkpoint'), answering `{ ok }` or `{ ok: false, code }`.
 * Like vault.ts and the chain worker, it runs its own low-level statements: it is the vault connection's, not a
 * repository's.
 * @source https://sqlite.org/wal.html (checkpointing); https://sqlite.org/pragma.html#pragma_wal_checkpoint
 */
import { WAL_CHECKPOINT_PASSIVE_SQL } from './outbox-repo';

export const CHECKPOINT_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData: w } = require('node:worker_threads');
let db;
try {
  const Database = require(w.modulePath);
  db = new Database(w.file, { fileMustExist: true, timeout: 0 });
  for (const p of w.keyPragmas) db.pragma(p);
  db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
  parentPort.postMessage({ ok: true });
} catch (e) {
  parentPort.postMessage({ ok: false, code: (e && typeof e.code === 'string') ? e.code : 'WORKER_FAILED' });
  if (db) db.close();
  db = null;
}
parentPort.on('message', (m) => {
  if (m === 'checkpoint' && db) {
    try { db.prepare(${JSON.stringify(WAL_CHECKPOINT_PASSIVE_SQL)}).get(); parentPort.postMessage({ ok: true }); }
    catch (e) { parentPort.postMessage({ ok: false, code: (e && typeof e.code === 'string') ? e.code : 'CHECKPOINT_FAILED' }); }
  } else if (m === 'close') {
    if (db) db.close();
    db = null;
    parentPort.close();
  }
});
`;
