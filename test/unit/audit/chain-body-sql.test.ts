/**
 * The SQL that builds each event's HMAC body inside SQLite (chain-repo.ts CHAIN_BODY_SQL, json_array) yields
 * exactly the bytes `chainBody` (audit.ts) hashed when the event was written, for every Unicode scalar value
 * and both shapes (with and without the staff member's id). Verification relies on it for speed; a row where
 * they differed would still be re-checked from its columns, so this test guards speed and the fast path's
 * equivalence, not correctness alone.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainBody } from '../../../src/main/services/audit/audit';
import { CHAIN_BODY_SQL } from '../../../src/main/services/audit/chain-repo';
import { migrate } from '../../../src/main/services/vault/migrations';

type Fields = { at: string; actor: string; action: string; outcome: 'success' | 'failure' | 'refused'; subject_type: string | null; subject_id: string | null; detail_json: string; actor_id: string | null };

function sqlBodies(rows: Fields[]): Array<{ sql: string; js: string }> {
  const db = new Database(':memory:');
  migrate(db);
  const ins = db.prepare(
    'INSERT INTO audit_events (at, actor, actor_id, action, outcome, subject_type, subject_id, detail_json, prev_hash, hash) VALUES (@at, @actor, @actor_id, @action, @outcome, @subject_type, @subject_id, @detail_json, @prev, @hash)',
  );
  const prev = 'ab'.repeat(32);
  db.transaction(() => rows.forEach((r) => ins.run({ ...r, prev, hash: 'cd'.repeat(32) })))();
  const sql = db.prepare(`SELECT ${CHAIN_BODY_SQL} FROM audit_events ORDER BY seq`).pluck().all() as string[];
  db.close();
  return rows.map((r, i) => ({ sql: sql[i]!, js: chainBody(prev, r) }));
}

const base: Fields = { at: '2026-03-01T15:00:00.000Z', actor: 'Dana Frontdesk', action: 'release.view', outcome: 'success', subject_type: 'release', subject_id: 'rel_1', detail_json: '{}', actor_id: null };

describe('the HMAC body built in SQLite is the body chainBody hashes', () => {
  it('for every character of the Basic Multilingual Plane (controls, quotes, backslash, U+2028) and astral ones', () => {
    const chars: string[] = [];
    for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) chars.push(String.fromCharCode(c));
    chars.push('😀', '𠜎', '\u{10FFFF}');
    const rows: Fields[] = [];
    for (let i = 0; i < chars.length; i += 64) {
      const s = chars.slice(i, i + 64).join('');
      rows.push({ ...base, actor: s, detail_json: JSON.stringify({ note: s }), subject_id: `x${s}y`, actor_id: i % 128 ? null : `usr_${s}` });
    }
    for (const { sql, js } of sqlBodies(rows)) expect(sql).toBe(js);
  });

  it('with and without the staff member id, null subjects, and an empty id (treated as absent, like chainBody)', () => {
    const rows: Fields[] = [base, { ...base, actor_id: 'usr_01' }, { ...base, subject_type: null, subject_id: null }, { ...base, actor_id: '' }];
    for (const { sql, js } of sqlBodies(rows)) expect(sql).toBe(js);
  });

  it('for arbitrary Unicode text in every field', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
    fc.assert(
      fc.property(fc.array(fc.record({ actor: text, subject_id: fc.option(text), detail: text, actor_id: fc.option(text) }), { minLength: 1, maxLength: 20 }), (xs) => {
        const rows = xs.map((x) => ({ ...base, actor: x.actor, subject_id: x.subject_id, detail_json: JSON.stringify({ d: x.detail }), actor_id: x.actor_id }));
        for (const { sql, js } of sqlBodies(rows)) expect(sql).toBe(js);
      }),
      { numRuns: 100 },
    );
  });
});
