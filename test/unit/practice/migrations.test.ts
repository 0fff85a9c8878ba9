import { describe, expect, it } from 'vitest';
import { migratePractice, practiceMigrations, practiceSchemaVersion, PRACTICE_LATEST_VERSION } from '../../../src/main/services/practice/migrate';
import { engines } from '../../support/practice-engines';
import { tableNames, useEngineHarness } from '../../support/practice-suite';

describe.each(engines())('practice migrations on $name', (h) => {
  const fresh = useEngineHarness(h);

  it('migrations are numbered 1..n without gaps, one file each', () => {
    expect(practiceMigrations.map((m) => m.version)).toEqual(Array.from({ length: PRACTICE_LATEST_VERSION }, (_, i) => i + 1));
    for (const m of practiceMigrations) expect(m.name).toMatch(/^[a-z0-9-]+$/);
  });

  it('an empty database migrates to the latest version; running again applies nothing (idempotent)', async () => {
    const db = await fresh({ migrate: false });
    expect(await practiceSchemaVersion(db)).toBe(0);
    expect(await migratePractice(db)).toBe(PRACTICE_LATEST_VERSION);
    const before = await tableNames(db);
    expect(await migratePractice(db)).toBe(PRACTICE_LATEST_VERSION);
    expect(await tableNames(db)).toEqual(before);
    const rows = await db.all<{ version: number; name: string }>('SELECT version, name FROM practice_schema_version ORDER BY version');
    expect(rows).toEqual(practiceMigrations.map((m) => ({ version: m.version, name: m.name })));
  });

  it('0001 practice-core creates the key, request and audit tables, and the audit tables are append-only', async () => {
    const db = await fresh({ migrate: false });
    expect(await migratePractice(db, 1)).toBe(1);
    expect(await tableNames(db)).toEqual(expect.arrayContaining(['practice_audit_checkpoints', 'practice_audit_events', 'practice_data_keys', 'practice_key_wraps', 'practice_requests', 'practice_schema_version']));
    await db.run("INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ('k1', '2026-01-01T00:00:00Z', 'u1')");
    await db.run("INSERT INTO practice_audit_events (seq, at, actor, action, outcome, key_id, prev_hash, hash) VALUES (1, '2026-01-01T00:00:00Z', 'u1', 'x', 'success', 'k1', 'p', 'h')");
    await expect(db.run("UPDATE practice_audit_events SET action = 'y' WHERE seq = 1")).rejects.toMatchObject({ code: expect.stringMatching(/^PRACTICE_DB_/) });
    await expect(db.run('DELETE FROM practice_audit_events WHERE seq = 1')).rejects.toMatchObject({ code: expect.stringMatching(/^PRACTICE_DB_/) });
    expect(await db.one('SELECT count(*) AS c FROM practice_audit_events')).toEqual({ c: 1 });
  });

  it('a database migrated by a newer build is refused with PRACTICE_SCHEMA_NEWER and left unchanged', async () => {
    const db = await fresh();
    await db.run("INSERT INTO practice_schema_version (version, name, applied_at) VALUES (999, 'from-the-future', '2030-01-01T00:00:00Z')");
    await expect(migratePractice(db)).rejects.toMatchObject({ code: 'PRACTICE_SCHEMA_NEWER' });
    expect(await practiceSchemaVersion(db)).toBe(999);
  });

  it('several workstations migrating at once apply each migration exactly once', async () => {
    const db = await fresh({ migrate: false });
    const others = h.another ? [h.another(), h.another(), h.another()] : [];
    try {
      const all = [db, ...others];
      const results = await Promise.all(all.flatMap((e) => [migratePractice(e), migratePractice(e)]));
      expect(new Set(results)).toEqual(new Set([PRACTICE_LATEST_VERSION]));
      expect(await db.one('SELECT count(*) AS c FROM practice_schema_version')).toEqual({ c: PRACTICE_LATEST_VERSION });
    } finally {
      for (const o of others) await o.close();
    }
  });
});
