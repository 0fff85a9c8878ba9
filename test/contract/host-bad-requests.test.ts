/**
 * The preview host answers malformed and oversized requests with 400/413 and a coded body (never 500, never a reset
 * connection), and files dropped onto the Records step are staged apart from picked ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../host/server';

/** POST raw bytes with node:http (fetch would refuse some of these), resolving with status and body. */
function post(host: Host, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(`${host.origin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('preview host: bad requests', () => {
  let host: Host;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rd-host-bad-'));
    host = await startHost({ dataDir: dir });
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a malformed % escape in the channel name is 400 with a coded error, not 500', async () => {
    const r = await post(host, '/rpc/app.info%E0%A4%A', Buffer.from('{}'));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('an oversized JSON body is answered 413 with a coded error instead of a reset connection', async () => {
    const r = await post(host, '/rpc/app.info', Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false });
  });

  it('a malformed file name on upload is kept as a neutral name; a malformed JSON body is 400', async () => {
    expect((await post(host, '/upload', Buffer.from('%PDF-1.7'), { 'content-type': 'application/octet-stream', 'x-file-name': '%E0%A4%A' })).status).toBe(200);
    expect((await post(host, '/rpc/app.info', Buffer.from('{not json'))).status).toBe(400);
  });
});
