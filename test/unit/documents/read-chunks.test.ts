import Database from 'better-sqlite3-multiple-ciphers';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, readDocument, readDocumentChunks } from '../../../src/main/services/documents/documents';

/** The two tables the readers use, with a document of `bytes` stored in CHUNK_BYTES rows (as putChunks stores it). */
function vaultWith(bytes: Buffer): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE documents (id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, purged_at TEXT); CREATE TABLE document_chunks (document_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (document_id, seq));');
  db.prepare('INSERT INTO documents (id, sha256) VALUES (?, ?)').run('d1', createHash('sha256').update(bytes).digest('hex'));
  for (let seq = 0, off = 0; off < bytes.length; seq++, off += CHUNK_BYTES) db.prepare('INSERT INTO document_chunks VALUES (?, ?, ?)').run('d1', seq, bytes.subarray(off, off + CHUNK_BYTES));
  return db;
}

describe('reading a record file from the vault chunk by chunk', () => {
  it('yields the stored chunks in order, together the same bytes readDocument returns', () => {
    const bytes = randomBytes(2 * CHUNK_BYTES + 17);
    const db = vaultWith(bytes);
    const chunks = [...readDocumentChunks(db, 'd1')];
    expect(chunks.map((c) => c.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, 17]);
    expect(Buffer.compare(Buffer.concat(chunks), readDocument(db, 'd1'))).toBe(0);
  });

  it('a changed stored chunk fails the SHA-256 check after the last chunk', () => {
    const bytes = randomBytes(CHUNK_BYTES + 5);
    const db = vaultWith(bytes);
    db.prepare("UPDATE document_chunks SET data = X'00' WHERE seq = 1").run();
    expect(() => [...readDocumentChunks(db, 'd1')]).toThrow('document integrity check failed');
  });

  it('an unknown or purged document is NOT_FOUND', () => {
    const db = vaultWith(randomBytes(10));
    expect(() => [...readDocumentChunks(db, 'nope')]).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    db.prepare("UPDATE documents SET purged_at = '2026-01-01T00:00:00Z'").run();
    expect(() => [...readDocumentChunks(db, 'd1')]).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
