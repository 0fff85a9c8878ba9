// @vitest-environment jsdom
/**
 * Idle lock in the renderer (issue 11, point 3; 45 CFR 164.312(a)(2)(iii)) with a fake clock: the whole App with a
 * patient on screen locks after the practice's idle time, main is asked to close the vault, the unlock screen says
 * why, the patient's name is gone from the DOM and every registered store is back to its empty initial state;
 * keyboard, mouse, touch and wheel activity restart the count; a reply in flight at the lock is dropped.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { App } from '../../../src/renderer/app/App';
import { useAppStore } from '../../../src/renderer/lib/navigation';
import { useIdleLockStore, startIdleTimer } from '../../../src/renderer/lib/idle-lock';
import { registeredStores, resetAllStores } from '../../../src/renderer/lib/stores';
import { call } from '../../../src/renderer/lib/call';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import { useRequestsStore } from '../../../src/renderer/features/requests/store';
import { useReleasesStore } from '../../../src/renderer/features/releases/store';
import { useOutboxStore } from '../../../src/renderer/features/outbox/store';
import { useAuditStore } from '../../../src/renderer/features/audit/store';
import type { ChannelOutput, OutboxEntryT, ReleaseSummaryT, RequestDetailT, RequestSummaryT, RpcResult } from '../../../src/shared/contract';
import { fail, installDomStubs, installFakeApi, makeRelease, makeRequestSummary, ok, renderUi } from './harness';

const NAME = 'Zyxwv Testpatient';
const MINUTE = 60_000;

const REQUEST: RequestSummaryT = makeRequestSummary({ patientName: NAME });
const SUMMARY: ReleaseSummaryT = {
  id: 'rel_000001',
  reference: 'R-0001',
  status: 'draft',
  createdAt: '2026-03-03T14:05:00.000Z',
  patientName: NAME,
  recipientName: 'Qwfp Recipient',
  documentCount: 1,
  requestId: 'req_000001',
  requestReference: 'Q-2026-00001',
};
const OUTBOX: OutboxEntryT = {
  releaseId: 'rel_000001',
  reference: 'R-0001',
  status: 'queued',
  method: 'openpgp-pgp-mime',
  patientName: NAME,
  recipientName: 'Qwfp Recipient',
  nextAttemptAt: null,
  attempts: 0,
  paused: false,
  lastError: null,
} as OutboxEntryT;

let vault: 'locked' | 'unlocked';

/** The fake main: unlocked until `vault.lock`; the requests list names the patient; the idle time is `idleMinutes`. */
function fakeMain(idleMinutes = 5, more: Parameters<typeof installFakeApi>[0] = {}) {
  vault = 'unlocked';
  return installFakeApi({
    'app.info': () => ok({ mode: 'preview', version: 'test', vault, practiceName: 'Maplewood Family Practice', staffName: vault === 'unlocked' ? 'Qwert Frontdesk' : null }),
    'vault.lock': () => {
      vault = 'locked';
      return ok({});
    },
    'settings.getIdleLock': () => ok({ idleMinutes }),
    'requests.list': () => ok([REQUEST]),
    'releases.outbox': () => ok([OUTBOX]),
    ...more,
  });
}

/** The home screen after unlock is Today (PHI-free): open the requests list, which names the patient. */
async function showRequests(): Promise<void> {
  act(() => useAppStore.getState().navigate({ name: 'requests' }));
  await advance(0);
}

/** Advance the fake clock by `ms`, letting React and the fake main's promises settle. */
const advance = (ms: number) => act(async () => void (await vi.advanceTimersByTimeAsync(ms)));

/** Every store's data (functions left out), by store name. */
function storeData(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, store] of registeredStores()) {
    out[name] = Object.fromEntries(Object.entries(store.getState() as object).filter(([, v]) => typeof v !== 'function'));
  }
  return out;
}
function initialData(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, store] of registeredStores()) {
    out[name] = Object.fromEntries(Object.entries(store.getInitialState() as object).filter(([, v]) => typeof v !== 'function'));
  }
  return out;
}

/** PHI in every feature store, as if staff had been working: the wizard, a request, lists, outbox, audit. */
function fillStoresWithPhi(): void {
  useWizardStore.setState({ release: makeRelease({ patientName: NAME }), step: 2 });
  useRequestsStore.setState({ detail: { ...REQUEST, patient: { name: NAME, dateOfBirth: '1970-01-02', mrn: 'MRN-TEST-1' } } as unknown as RequestDetailT });
  useReleasesStore.setState({ releases: [SUMMARY] });
  useOutboxStore.setState({ entries: [OUTBOX] });
  useAuditStore.setState({ transmissions: [{ patientName: NAME }] as never });
}

beforeAll(installDomStubs);
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  resetAllStores();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('idle lock (fake clock)', () => {
  it('after 5 idle minutes with a patient on screen: vault.lock called, unlock screen says why, no name in the DOM, every store empty', async () => {
    const fake = fakeMain();
    renderUi(<App />);
    await advance(0);
    await showRequests();
    expect(screen.getByText(NAME)).toBeTruthy();
    fillStoresWithPhi();
    expect(JSON.stringify(storeData())).toContain('Testpatient');

    await advance(5 * MINUTE - 1000);
    expect(fake.callsTo('vault.lock')).toHaveLength(0);
    expect(screen.getByText(NAME)).toBeTruthy();

    await advance(1000);
    expect(fake.callsTo('vault.lock')).toHaveLength(1);
    expect(screen.getByRole('heading', { name: 'Unlock ReleaseDesk' })).toBeTruthy();
    expect(screen.getByTestId('lock-notice').textContent).toContain('Locked after 5 minutes without activity');
    expect(document.body.textContent).not.toContain('Testpatient');
    expect(document.body.innerHTML).not.toContain('Testpatient');

    // Every registered store holds exactly what it was created with (the app store: only the lock notice and the
    // locked state app.info reports); no PHI anywhere in renderer state.
    const data = storeData();
    const initial = initialData();
    for (const name of registeredStores().keys()) {
      if (name === 'app') continue;
      expect(data[name], `store "${name}" after the idle lock`).toEqual(initial[name]);
    }
    expect(data.app).toMatchObject({ screen: { name: 'dashboard' }, error: null, lockNotice: { reason: 'idle', idleMinutes: 5 } });
    expect(useAppStore.getState().info).toMatchObject({ vault: 'locked', staffName: null });
    expect(JSON.stringify(data)).not.toContain('Testpatient');

    // Polling stopped with the Shell: an hour later nothing was read again.
    const callsAtLock = fake.calls.length;
    await advance(60 * MINUTE);
    expect(fake.calls.slice(callsAtLock).map((c) => c.channel)).toEqual([]);
  });

  it('keyboard, mouse, touch and wheel activity each restart the count', async () => {
    const fake = fakeMain();
    renderUi(<App />);
    await advance(0);
    await showRequests();
    const activities: Array<[string, () => void]> = [
      ['keydown', () => fireEvent.keyDown(document.body, { key: 'a' })],
      ['mousemove', () => fireEvent.mouseMove(document.body)],
      ['mousedown', () => fireEvent.mouseDown(document.body)],
      ['touchstart', () => fireEvent.touchStart(document.body)],
      ['wheel', () => fireEvent.wheel(document.body)],
    ];
    for (const [what, act] of activities) {
      await advance(4 * MINUTE);
      act();
      expect(fake.callsTo('vault.lock'), `locked despite ${what}`).toHaveLength(0);
    }
    await advance(5 * MINUTE - 1000);
    expect(fake.callsTo('vault.lock')).toHaveLength(0);
    expect(screen.getByText(NAME)).toBeTruthy();
    await advance(1000);
    expect(fake.callsTo('vault.lock')).toHaveLength(1);
    expect(screen.queryByText(NAME)).toBeNull();
  });

  it('uses the practice setting (2 minutes) and says so on the unlock screen; unlocking clears the notice', async () => {
    const fake = fakeMain(2, {
      'vault.unlock': () => {
        vault = 'unlocked';
        return ok({});
      },
    });
    renderUi(<App />);
    await advance(0);
    await advance(2 * MINUTE);
    expect(fake.callsTo('vault.lock')).toHaveLength(1);
    expect(screen.getByTestId('lock-notice').textContent).toContain('Locked after 2 minutes without activity');

    fireEvent.change(screen.getByLabelText(/your passphrase/i), { target: { value: 'orbit lantern cactus velvet harbor 42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    await advance(0);
    expect(screen.getByRole('heading', { level: 1, name: 'Today' })).toBeTruthy();
    await showRequests();
    expect(screen.getByText(NAME)).toBeTruthy();
    expect(useAppStore.getState().lockNotice).toBeNull();
  });

  it('a reply that arrives after the lock is dropped: the store stays empty', async () => {
    let answer: (r: RpcResult<ChannelOutput<'releases.list'>>) => void = () => {};
    const fake = fakeMain(5, { 'releases.list': () => new Promise((resolve) => (answer = resolve)) });
    renderUi(<App />);
    await advance(0);
    const loading = useReleasesStore.getState().load();
    expect(fake.callsTo('releases.list')).toHaveLength(1);
    await advance(5 * MINUTE);
    expect(fake.callsTo('vault.lock')).toHaveLength(1);
    answer(ok([SUMMARY]));
    await advance(0);
    expect(useReleasesStore.getState().releases).toBeNull();
    expect(useReleasesStore.getState().error).toBeNull();
    void loading; // never settles, by design
  });
});

describe('events after the lock', () => {
  it('progress pushed by main after the lock reaches no store (the listeners of in-flight actions are closed)', async () => {
    const fake = fakeMain(5, {
      'releases.send': () => new Promise(() => {}),
      'audit.exportReport': () => new Promise(() => {}),
    });
    renderUi(<App />);
    await advance(0);
    useWizardStore.setState({ release: makeRelease({ documentCount: 1, recipientName: 'Qwfp Recipient' }) });
    void useWizardStore.getState().send();
    void useAuditStore.getState().exportWith('report', () => call('audit.exportReport', {} as never));
    fake.emit('progress', { operation: 'send', releaseId: 'rel_000001', done: 1, total: 3 });
    fake.emit('reportProgress', { report: 'audit', done: 1, total: 3 });
    expect(useWizardStore.getState().progress).toEqual({ operation: 'send', done: 1, total: 3 });
    expect(useAuditStore.getState().progress).toEqual({ done: 1, total: 3 });

    await advance(5 * MINUTE);
    expect(fake.callsTo('vault.lock')).toHaveLength(1);
    fake.emit('progress', { operation: 'send', releaseId: 'rel_000001', done: 2, total: 3 });
    fake.emit('reportProgress', { report: 'audit', done: 2, total: 3 });
    expect(useWizardStore.getState().progress).toBeNull();
    expect(useAuditStore.getState().progress).toBeNull();
    expect(useWizardStore.getState().release).toBeNull();
  });
});

describe('startIdleTimer', () => {
  it('locks at once when a hidden page becomes visible after the idle time (timers throttled in the background)', () => {
    const onIdle = vi.fn();
    const stop = startIdleTimer({ target: window, timeoutMs: 5 * MINUTE, onIdle });
    // The page was in the background: its timer did not run, but the clock moved on.
    vi.setSystemTime(Date.now() + 6 * MINUTE);
    expect(onIdle).not.toHaveBeenCalled();
    document.dispatchEvent(new Event('visibilitychange'));
    expect(onIdle).toHaveBeenCalledTimes(1);
    // Fires once: the timer stopped itself.
    vi.advanceTimersByTime(60 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
    stop();
  });

  it('stop() removes the timer and the listeners', () => {
    const onIdle = vi.fn();
    const stop = startIdleTimer({ target: window, timeoutMs: MINUTE, onIdle });
    stop();
    vi.advanceTimersByTime(10 * MINUTE);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(onIdle).not.toHaveBeenCalled();
  });

  it('refuses a non-positive idle time', () => {
    expect(() => startIdleTimer({ target: window, timeoutMs: 0, onIdle: () => {} })).toThrow(RangeError);
  });

});

describe('idle-lock store', () => {
  it('reads the practice setting, and keeps 5 minutes when it cannot be read', async () => {
    installFakeApi({ 'settings.getIdleLock': () => ok({ idleMinutes: 9 }) });
    await useIdleLockStore.getState().load();
    expect(useIdleLockStore.getState()).toMatchObject({ idleMinutes: 9, loaded: true });
    resetAllStores();
    installFakeApi({ 'settings.getIdleLock': () => fail('VAULT_LOCKED', 'The vault is locked.') });
    await useIdleLockStore.getState().load();
    expect(useIdleLockStore.getState()).toMatchObject({ idleMinutes: 5, loaded: false });
  });
});
