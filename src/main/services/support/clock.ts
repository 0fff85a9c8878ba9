/** The source of "now" for every service; tests inject a fixed or stepping clock. */
export interface Clock {
  /** Current instant. */
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock fixed at `iso` that tests can move with `advance(ms)` or `set(iso)`. */
export function fixedClock(iso: string): Clock & { advance(ms: number): void; set(iso: string): void } {
  let t = new Date(iso).getTime();
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
    set: (next: string) => {
      t = new Date(next).getTime();
    },
  };
}
