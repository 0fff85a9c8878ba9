import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Values a log line may carry: ids, codes, counts, flags. The type keeps
 * free-form objects (and with them PHI) out; callers must still never pass a
 * name, address, file name or server reply as a value.
 */
export type LogFields = Record<string, string | number | boolean | null>;

/** A PHI-free operational logger (not the audit log: that lives in the vault). */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/**
 * A logger appending JSON lines to `<dataDir>/logs/releasedesk.log`.
 * Never writes to the console: console output ends up in crash reports and terminals.
 */
export function fileLogger(dataDir: string): Logger {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'releasedesk.log');
  const write = (level: string, event: string, fields?: LogFields) => {
    appendFileSync(file, JSON.stringify({ at: new Date().toISOString(), level, event, ...fields }) + '\n', { mode: 0o600 });
  };
  return {
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f),
  };
}

/** A logger that keeps lines in memory (tests assert on them). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string, event: string, fields?: LogFields) => lines.push(JSON.stringify({ level, event, ...fields }));
  return { lines, info: (e, f) => write('info', e, f), warn: (e, f) => write('warn', e, f), error: (e, f) => write('error', e, f) };
}
