import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSet } from '../../../src/main/services/support/files';

const enc = (s: string) => new TextEncoder().encode(s);

describe('writing a set of files into a chosen folder', () => {
  it('writes every file owner-only and reports size and SHA-256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-fileset-'));
    const out = await writeFileSet(dir, [
      { name: 'a.pdf', bytes: enc('abc') },
      { name: 'a.pdf.sig', bytes: enc('') },
    ]);
    expect(out).toEqual([
      { name: 'a.pdf', bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
      { name: 'a.pdf.sig', bytes: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    ]);
    expect(statSync(join(dir, 'a.pdf')).mode & 0o777).toBe(0o600);
  });

  it('never overwrites a file and leaves nothing of the set behind when one name is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-fileset-'));
    writeFileSync(join(dir, 'b.csv'), 'theirs');
    await expect(writeFileSet(dir, [{ name: 'a.pdf', bytes: enc('abc') }, { name: 'b.csv', bytes: enc('ours') }])).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readdirSync(dir)).toEqual(['b.csv']);
  });
});
