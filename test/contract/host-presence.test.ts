/**
 * The preview host locks the vault when the browser tab is gone (automatic logoff, 45 CFR 164.312(a)(2)(iii)), over
 * its real HTTP protocol: while the page's heartbeats (`POST /heartbeat`, token-guarded) or other calls arrive the
 * vault stays open; when they stop for the presence limit, the host locks it by itself (a killed tab cannot send
 * `vault.lock`), audited `vault.lock` with reason `preview_tab_gone`. Heartbeats without the token do not count.
 * `vault.lock` (what the page sends on `pagehide`) locks at once, through the same dispatch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPreviewHost, type PreviewHostFixture } from '../support/preview-host';

const PASSPHRASE = 'orbit lantern cactus velvet harbor 42';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('preview host: a tab that is gone locks the vault', () => {
  let f: PreviewHostFixture | null = null;
  afterEach(async () => {
    await f?.close();
    f = null;
  });

  const beat = (token: string) => fetch(`${f!.host.origin}/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  it('stays unlocked while heartbeats arrive; locks by itself once they stop; the audit says why', async () => {
    f = await startPreviewHost('rd-host-presence-', { presence: { timeoutMs: 600 } });
    const { host } = f;
    expect(host.services.session.state).toBe('unlocked');
    // 1.5 s of heartbeats every 150 ms (2.5× the limit): still open. The answer says when to send the next one.
    const first = await beat(host.token);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ nextInMs: 150 });
    for (let i = 0; i < 10; i++) {
      await sleep(150);
      expect((await beat(host.token)).status).toBe(200);
    }
    expect(host.services.session.state).toBe('unlocked');
    // Other calls count too.
    await sleep(400);
    await f.rpc('app.info', {});
    const lastCall = Date.now();
    await sleep(400);
    expect(host.services.session.state).toBe('unlocked');

    // The tab dies: only heartbeats without the right token arrive (refused, not counted).
    const started = Date.now();
    while (host.services.session.state === 'unlocked' && Date.now() - started < 5_000) {
      expect((await beat('not-the-token')).status).toBe(401);
      await sleep(100);
    }
    expect(host.services.session.state).toBe('locked');
    expect(Date.now() - lastCall).toBeGreaterThanOrEqual(550); // not before the limit after the last authorized call
    expect((await f.rpc('app.info', {})).vault).toBe('locked');

    await host.services.vault.unlock(PASSPHRASE);
    const lock = host.services.audit.events(50).find((e) => e.action === 'vault.lock')!;
    expect(lock).toMatchObject({ outcome: 'success', detail: { reason: 'preview_tab_gone' } });
  }, 30_000);

  it('vault.lock (sent by the page on pagehide) locks at once; with presence off a silent host stays unlocked', async () => {
    f = await startPreviewHost('rd-host-presence-off-', { presence: false });
    const { host } = f;
    expect(await (await beat(host.token)).json()).toEqual({ nextInMs: null });
    await sleep(300);
    expect(host.services.session.state).toBe('unlocked');
    await f.rpc('vault.lock', {});
    expect(host.services.session.state).toBe('locked');
  }, 30_000);
});
