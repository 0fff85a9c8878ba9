/**
 * The one way to make a zustand store in the renderer, so that locking can empty all of them.
 *
 * Every store is created with {@link defineStore} (ESLint forbids importing zustand's `create` anywhere else in
 * src/renderer, and test/unit/renderer/store-registry.test.ts imports every renderer module and fails on any store
 * that is not registered). {@link resetAllStores} puts every registered store back to the state it was created
 * with — no patient, request, release or audit data left in memory — and drops the replies of calls still in
 * flight (lib/call.ts) and every event listener a store opened with {@link listenUntilLock}, so nothing read or
 * pushed before the lock is written into a store after it.
 *
 * Used when the screen locks (manual Lock, idle lock: lib/navigation.ts `lock`), 45 CFR 164.312(a)(2)(iii).
 */
import { create, type StateCreator, type StoreApi, type UseBoundStore } from 'zustand';
import type { EventName, EventPayload } from '../../shared/contract';
import { dropPendingReplies } from './call';

/**
 * What the registry keeps of a store: zustand's store API with the state type left open (every store's state is an
 * object). Any `defineStore<T>` hook satisfies it as it is, so no cast is needed to register one.
 */
export interface RegisteredStore {
  getState(): object;
  getInitialState(): object;
  setState(state: object, replace: true): void;
}

const registry = new Map<string, RegisteredStore>();
/** Unsubscribers of event listeners opened by stores, closed by resetAllStores(). */
const openListeners = new Set<() => void>();

/**
 * Creates a zustand store (same initializer as zustand's `create`) and registers it under `name` for
 * {@link resetAllStores}. A module re-executed by hot reload replaces its earlier registration.
 * @param name unique, stable name of the store (e.g. "requests"), shown by the registry test
 * @returns the store hook, exactly what `create<T>()(initializer)` returns
 */
export function defineStore<T extends object>(name: string, initializer: StateCreator<T, [], []>): UseBoundStore<StoreApi<T>> {
  const store = create<T>()(initializer);
  registry.set(name, store);
  return store;
}

/**
 * Empties every registered store: each gets its initial state back (replacing, not merging, so no field
 * survives), and replies of calls started before now are dropped. Synchronous; safe to call repeatedly.
 */
export function resetAllStores(): void {
  dropPendingReplies();
  for (const off of [...openListeners]) off();
  for (const store of registry.values()) store.setState(store.getInitialState(), true);
}

/** The registered stores by name (for tests and diagnostics). */
export function registeredStores(): ReadonlyMap<string, RegisteredStore> {
  return registry;
}

/**
 * Listens to a main-process event (`window.apiEvents.on`) until the returned function is called or the screen
 * locks (resetAllStores), whichever comes first. Stores use it instead of `window.apiEvents.on`, whose cleanup in a
 * `finally` would never run for a call whose reply is dropped at the lock.
 * @returns unsubscribe (idempotent); a no-op when there is no event bridge
 */
export function listenUntilLock<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
  const off = window.apiEvents?.on(name, listener);
  if (!off) return () => {};
  const stop = () => {
    if (!openListeners.delete(stop)) return;
    off();
  };
  openListeners.add(stop);
  return stop;
}
