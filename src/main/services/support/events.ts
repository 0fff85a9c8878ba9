import type { EventName, EventPayload } from '../../../shared/contract';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Pushes contract events (progress of long work) to whichever transport listens. Payloads carry ids and counts only. */
export class EventBus {
  private listeners = new Set<EventListener>();

  /** Subscribe. @returns unsubscribe */
  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) l(name, payload);
  }
}
