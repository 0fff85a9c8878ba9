/**
 * End to end: the browser preview does not leave the vault open behind a tab that is gone (automatic logoff, 45 CFR
 * 164.312(a)(2)(iii)). Leaving the page (here: navigating away; closing the tab fires the same `pagehide`) sends
 * `vault.lock` at once; a tab that dies without a word (the renderer crashed or was killed) stops its heartbeats and
 * the host locks the vault after its presence limit (4 s here, 120 s by default). A live idle tab keeps it open.
 */
import { completeSetup, expect, PASSPHRASE, shot, test, type Host } from './fixtures';

async function vaultState(host: Host): Promise<string> {
  const res = await fetch(`${host.origin}/rpc/app.info`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  return ((await res.json()) as { value: { vault: string } }).value.vault;
}

test('closing or killing the preview tab locks the vault; an open idle tab keeps it unlocked', async ({ page, app, browser }) => {
  test.setTimeout(120_000);
  const host = await app.start([], { presence: { timeoutMs: 4_000 } });
  await completeSetup(page, 2525);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

  // 1. An open tab with nobody touching it for twice the limit: its heartbeats keep the vault open.
  await page.waitForTimeout(8_000);
  expect(await vaultState(host)).toBe('unlocked');

  // 2. Leaving the page: pagehide sends vault.lock; the host is locked before the presence limit could matter.
  const left = Date.now();
  await page.goto('about:blank');
  await expect.poll(() => vaultState(host), { timeout: 3_000, intervals: [100] }).toBe('locked');
  expect(Date.now() - left).toBeLessThan(3_500);

  // Back to the app: the unlock screen; sign in again.
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeVisible();
  await shot(page, 'preview-tab-lock-01-back-after-leaving');
  await page.locator('#unlock-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Today' })).toBeVisible({ timeout: 30_000 });
  expect(await vaultState(host)).toBe('unlocked');

  // 3. The tab's renderer dies without pagehide: the heartbeats stop and the host locks by itself.
  const cdp = await page.context().newCDPSession(page);
  const killed = Date.now();
  void cdp.send('Page.crash').catch(() => undefined); // never answers: the page is gone
  // (No polling meanwhile: every authorized call, this test's too, counts as the tab being there.)
  await new Promise((r) => setTimeout(r, 7_000));
  expect(await vaultState(host)).toBe('locked');
  expect(Date.now() - killed).toBeGreaterThanOrEqual(4_000);

  // A new tab shows the unlock screen, not the work of the dead one.
  const ctx = await browser.newContext();
  const again = await ctx.newPage();
  await again.goto(host.url);
  await expect(again.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeVisible();
  await shot(again, 'preview-tab-lock-02-after-killed-tab');
  await again.locator('#unlock-passphrase').fill(PASSPHRASE);
  await again.getByRole('button', { name: 'Unlock' }).click();
  await expect(again.getByRole('navigation', { name: 'Main' })).toBeVisible({ timeout: 30_000 });
  // The audit tells the two locks apart: the page's own on leaving, the host's for the silent tab.
  const res = await fetch(`${host.origin}/rpc/audit.events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ limit: 100 }),
  });
  const events = ((await res.json()) as { value: Array<{ action: string; detail: Record<string, unknown> }> }).value.filter((e) => e.action === 'vault.lock');
  expect(events.map((e) => e.detail.reason ?? 'page')).toEqual(['preview_tab_gone', 'page']); // newest first
  await ctx.close();
});
