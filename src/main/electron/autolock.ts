/**
 * Automatic logoff (45 CFR 164.312(a)(2)(iii), addressable implementation
 * specification: "terminate an electronic session after a predetermined time
 * of inactivity"). The vault is locked — key forgotten, database closed —
 * after `idleMinutes` without keyboard/mouse input on the computer, and at
 * once when the screen locks or the computer suspends.
 *
 * The threshold is the practice's idle lock setting (`settings.setIdleLock`, 1..60 minutes, default 5), read at every
 * poll so a change in Settings applies at once; the renderer locks the screen after the same time without activity
 * inside the window (src/renderer/app/idle-lock.ts).
 */
import type { PowerMonitor } from 'electron';
import { DEFAULT_IDLE_LOCK_MINUTES } from '../../shared/contract';
import type { Logger } from '../services/support/logger';

/** Default inactivity before the vault locks, in minutes (the practice setting's default). */
export const DEFAULT_IDLE_MINUTES = DEFAULT_IDLE_LOCK_MINUTES;
/** How often the system idle time is polled, in milliseconds. */
export const IDLE_POLL_MS = 15_000;

/** powerMonitor events that lock immediately (Electron PowerMonitor events). */
export const LOCK_EVENTS = ['lock-screen', 'suspend'] as const;

/**
 * Start the automatic logoff.
 * @param opts.powerMonitor Electron's powerMonitor (`getSystemIdleTime()` is in seconds)
 * @param opts.lock locks the vault (services.session.lock); idempotent; errors are logged by name, never rethrown
 * @param opts.idleMinutes inactivity threshold in minutes (> 0), or a function read at every poll (e.g. the practice
 *   setting); a function result that is not > 0 (null: vault locked, setting unreadable) means {@link DEFAULT_IDLE_MINUTES}
 * @throws RangeError when a fixed `idleMinutes` is not > 0
 * @param opts.pollMs polling interval in ms (default {@link IDLE_POLL_MS})
 * @returns stop(): removes the listeners and the timer
 */
export function startAutoLock(opts: {
  powerMonitor: Pick<PowerMonitor, 'getSystemIdleTime' | 'on' | 'removeListener'>;
  lock: () => void;
  idleMinutes: number | (() => number | null);
  pollMs?: number;
  logger: Logger;
}): () => void {
  const fixed = opts.idleMinutes;
  if (typeof fixed === 'number' && !(fixed > 0)) throw new RangeError('idleMinutes must be a positive number of minutes');
  const thresholdSeconds = () => {
    if (typeof fixed === 'number') return fixed * 60;
    let m: number | null;
    try {
      m = fixed();
    } catch {
      m = null; // a setting that cannot be read: the default, never "no lock"
    }
    return (m !== null && m > 0 ? m : DEFAULT_IDLE_MINUTES) * 60;
  };
  let lockedThisIdlePeriod = false;

  const lock = (reason: string) => {
    try {
      opts.lock();
      opts.logger.info('session.auto_lock', { reason });
    } catch (e) {
      opts.logger.error('session.auto_lock_failed', { reason, error: e instanceof Error ? e.name : typeof e });
    }
  };

  const poll = () => {
    const idle = opts.powerMonitor.getSystemIdleTime();
    if (idle >= thresholdSeconds()) {
      if (!lockedThisIdlePeriod) {
        lockedThisIdlePeriod = true;
        lock('idle');
      }
    } else {
      lockedThisIdlePeriod = false;
    }
  };

  const onLockScreen = () => lock('lock-screen');
  const onSuspend = () => lock('suspend');
  opts.powerMonitor.on('lock-screen', onLockScreen);
  opts.powerMonitor.on('suspend', onSuspend);
  const timer = setInterval(poll, opts.pollMs ?? IDLE_POLL_MS);
  timer.unref?.();

  return () => {
    clearInterval(timer);
    opts.powerMonitor.removeListener('lock-screen', onLockScreen);
    opts.powerMonitor.removeListener('suspend', onSuspend);
  };
}
