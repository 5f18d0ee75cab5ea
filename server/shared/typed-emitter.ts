/**
 * The one event emitter of the servers: events and their payloads typed by a map, and a
 * listener that throws never stops the others nor the emitter (mediasoup's `safeEmit`): its
 * error goes to `onListenerError`, which the owner points at its logger.
 *
 * Why not node:events: its listeners are untyped (`...args: any[]`), and one throwing listener
 * aborts the emit for the rest.
 */
// A map of event name → payload; `void` for events without one.
export type EventMap = { [event: string]: unknown };

type Listener<P> = (payload: P) => void;
type ListenerArgs<P> = [P] extends [void] ? [] : [payload: P];

export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (err: unknown, event: keyof E) => void) {}

  /** Adds a listener; the returned function removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  /** A listener removed after its first call. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    set.delete(listener as Listener<never>);
    if (set.size === 0) this.listeners.delete(event);
  }

  /** Calls every listener of `event` in the order added; a throwing one is reported, not fatal. */
  emit<K extends keyof E>(event: K, ...args: ListenerArgs<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    // a copy: a listener may remove itself or others while we iterate
    for (const l of [...set]) {
      try {
        (l as Listener<unknown>)(args[0]);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Drops every listener (an owner's close()). */
  clear(): void {
    this.listeners.clear();
  }
}
