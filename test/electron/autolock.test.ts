import * as electron from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAutoLock } from '../../src/main/electron/autolock';
import { memoryLogger } from '../../src/main/services/support/logger';
import type { FakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
const fake = electron as unknown as FakeElectron;

describe('automatic logoff (164.312(a)(2)(iii))', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('locks once after N idle minutes, and again only after new activity and new idleness', () => {
    let idleSeconds = 0;
    fake.powerMonitor.getSystemIdleTime.mockImplementation(() => idleSeconds);
    const lock = vi.fn();
    const stop = startAutoLock({ powerMonitor: fake.powerMonitor as unknown as electron.PowerMonitor, lock, idleMinutes: 5, pollMs: 1000, logger: memoryLogger() });
    idleSeconds = 299;
    vi.advanceTimersByTime(3000);
    expect(lock).not.toHaveBeenCalled();
    idleSeconds = 300;
    vi.advanceTimersByTime(1000);
    expect(lock).toHaveBeenCalledTimes(1);
    idleSeconds = 400;
    vi.advanceTimersByTime(5000);
    expect(lock).toHaveBeenCalledTimes(1);
    idleSeconds = 2; // user came back
    vi.advanceTimersByTime(1000);
    idleSeconds = 301;
    vi.advanceTimersByTime(1000);
    expect(lock).toHaveBeenCalledTimes(2);
    stop();
  });

  it('locks at once on lock-screen and suspend; stop() removes listeners and timer', () => {
    const lock = vi.fn();
    const logger = memoryLogger();
    const stop = startAutoLock({ powerMonitor: fake.powerMonitor as unknown as electron.PowerMonitor, lock, idleMinutes: 10, logger });
    fake.powerMonitor.emit('lock-screen');
    fake.powerMonitor.emit('suspend');
    expect(lock).toHaveBeenCalledTimes(2);
    expect(logger.lines.filter((l) => l.includes('session.auto_lock'))).toHaveLength(2);
    stop();
    fake.powerMonitor.getSystemIdleTime.mockReturnValue(99_999);
    fake.powerMonitor.emit('lock-screen');
    vi.advanceTimersByTime(60_000);
    expect(lock).toHaveBeenCalledTimes(2);
    expect(fake.powerMonitor.listenerCount('lock-screen')).toBe(0);
  });

  it('a failing lock is logged by error name only and does not throw', () => {
    const lock = vi.fn(() => {
      throw new TypeError('Zyxwv Testpatient could not be closed');
    });
    const logger = memoryLogger();
    const stop = startAutoLock({ powerMonitor: fake.powerMonitor as unknown as electron.PowerMonitor, lock, idleMinutes: 1, logger });
    expect(() => fake.powerMonitor.emit('suspend')).not.toThrow();
    expect(logger.lines.join()).toContain('TypeError');
    expect(logger.lines.join()).not.toContain('Testpatient');
    stop();
  });

  it('follows the practice setting read at every poll, and uses the default (5 minutes) while it cannot be read', () => {
    let idleSeconds = 0;
    fake.powerMonitor.getSystemIdleTime.mockImplementation(() => idleSeconds);
    let setting: number | null = 2;
    const lock = vi.fn();
    const stop = startAutoLock({ powerMonitor: fake.powerMonitor as unknown as electron.PowerMonitor, lock, idleMinutes: () => setting, pollMs: 1000, logger: memoryLogger() });
    idleSeconds = 119;
    vi.advanceTimersByTime(1000);
    expect(lock).not.toHaveBeenCalled();
    idleSeconds = 120;
    vi.advanceTimersByTime(1000);
    expect(lock).toHaveBeenCalledTimes(1);
    idleSeconds = 0;
    vi.advanceTimersByTime(1000);
    setting = null; // vault locked: the setting cannot be read
    idleSeconds = 299;
    vi.advanceTimersByTime(1000);
    expect(lock).toHaveBeenCalledTimes(1);
    idleSeconds = 300;
    vi.advanceTimersByTime(1000);
    expect(lock).toHaveBeenCalledTimes(2);
    stop();
  });

  it('rejects a non-positive threshold', () => {
    expect(() => startAutoLock({ powerMonitor: fake.powerMonitor as unknown as electron.PowerMonitor, lock: () => {}, idleMinutes: 0, logger: memoryLogger() })).toThrow(RangeError);
  });
});
