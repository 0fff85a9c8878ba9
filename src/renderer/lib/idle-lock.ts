/**
 * Idle lock in the renderer (automatic logoff, 45 CFR 164.312(a)(2)(iii): "terminate an electronic session after a
 * predetermined time of inactivity"), for the desktop app and the browser preview alike.
 *
 * After the practice's idle time (Settings, 1..60 minutes, default 5; `settings.getIdleLock`) without keyboard,
 * mouse, touch or wheel activity in the window, the app locks exactly as the Lock button does (lib/navigation.ts
 * `lock`): every store is emptied, main closes the vault, the unlock screen says why. The Electron shell uses the
 * same setting for the computer's idle time and also locks on suspend and screen lock (src/main/electron/autolock.ts).
 */
import { useEffect } from 'react';
import { DEFAULT_IDLE_LOCK_MINUTES } from '../../shared/contract';
import { call, toApiError, type ApiError } from './call';
import { defineStore } from './stores';
import { useAppStore } from './navigation';

/** Window events that count as activity (captured, passive): keyboard, mouse, pointer, touch and wheel. */
export const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'mousemove', 'pointerdown', 'pointermove', 'touchstart', 'touchmove', 'wheel'] as const;

/**
 * Calls `onIdle` once after `timeoutMs` without any of {@link ACTIVITY_EVENTS} on `target`.
 *
 * Activity only records the time (cheap for mousemove); one timer checks the elapsed time when it fires and
 * re-arms for what is left. Time is read from `Date.now()`, so a timer that fires late (a throttled background tab,
 * a sleeping computer) still locks, and coming back to a visible page that is already past the limit locks at once.
 * @param opts.timeoutMs idle time in milliseconds (> 0)
 * @returns stop(): removes the listeners and the timer (also done before `onIdle` runs)
 */
export function startIdleTimer(opts: { target: Window; timeoutMs: number; onIdle: () => void }): () => void {
  const { target, timeoutMs, onIdle } = opts;
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be a positive number of milliseconds');
  let last = Date.now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const listen = { capture: true, passive: true } as const;

  const onActivity = () => {
    last = Date.now();
  };
  const check = () => {
    if (stopped) return;
    if (timer !== null) clearTimeout(timer);
    const idle = Date.now() - last;
    if (idle >= timeoutMs) {
      stop();
      onIdle();
      return;
    }
    timer = setTimeout(check, timeoutMs - idle);
  };
  const onVisibility = () => {
    if (target.document.visibilityState === 'visible') check();
  };
  const stop = () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    for (const e of ACTIVITY_EVENTS) target.removeEventListener(e, onActivity, listen);
    target.document.removeEventListener('visibilitychange', onVisibility);
  };

  for (const e of ACTIVITY_EVENTS) target.addEventListener(e, onActivity, listen);
  target.document.addEventListener('visibilitychange', onVisibility);
  check();
  return stop;
}

interface IdleLockState {
  /** Minutes without activity before the screen locks (the practice setting; default until loaded). */
  idleMinutes: number;
  loaded: boolean;
  saving: boolean;
  error: ApiError | null;
  /** Reads the practice setting (`settings.getIdleLock`); keeps the default when it cannot be read. */
  load: () => Promise<void>;
  /** Saves the setting (`settings.setIdleLock`, 1..60 minutes, audited); true when saved. */
  save: (idleMinutes: number) => Promise<boolean>;
}

export const useIdleLockStore = defineStore<IdleLockState>('idle-lock', (set) => ({
  idleMinutes: DEFAULT_IDLE_LOCK_MINUTES,
  loaded: false,
  saving: false,
  error: null,
  async load() {
    try {
      const { idleMinutes } = await call('settings.getIdleLock', {});
      set({ idleMinutes, loaded: true });
    } catch {
      // The default applies; the idle lock never waits for the setting.
    }
  },
  async save(idleMinutes) {
    set({ saving: true, error: null });
    try {
      const saved = await call('settings.setIdleLock', { idleMinutes });
      set({ idleMinutes: saved.idleMinutes, loaded: true, saving: false });
      return true;
    } catch (e) {
      set({ saving: false, error: toApiError(e) });
      return false;
    }
  },
}));

/**
 * While mounted (the unlocked app), locks after the practice's idle time without activity. Loads the setting on
 * mount; a new value (saved in Settings) restarts the count.
 */
export function useIdleLock(): void {
  const idleMinutes = useIdleLockStore((s) => s.idleMinutes);
  useEffect(() => {
    void useIdleLockStore.getState().load();
  }, []);
  useEffect(
    () =>
      startIdleTimer({
        target: window,
        timeoutMs: idleMinutes * 60_000,
        onIdle: () => void useAppStore.getState().lock({ reason: 'idle', idleMinutes }),
      }),
    [idleMinutes],
  );
}

/** "Locked after 5 minutes without activity" (1 minute: singular). */
export function idleLockMessage(idleMinutes: number): string {
  return `Locked after ${idleMinutes} ${idleMinutes === 1 ? 'minute' : 'minutes'} without activity`;
}
