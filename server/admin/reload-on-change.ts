import type { Logger } from '../log';
import type { ChangePublisher, ConfigChange } from './change-publisher';

/**
 * Subscribes a cache's reload to the configuration changes that touch it (and to '*', a polled
 * version that says nothing more). Loads never overlap: a change arriving during a load gets one
 * more load after it, and any further changes meanwhile share that one — none is lost, none
 * piles up, and an older load cannot finish last. A failed load is logged; the cache keeps
 * what it had (its own timer, if any, is the fallback). Returns the unsubscribe.
 */
export function reloadOnChange(
  publisher: Pick<ChangePublisher, 'subscribe'>,
  entities: ReadonlyArray<ConfigChange['entity']>,
  load: () => Promise<void>,
  log: Logger,
): () => void {
  const wanted = new Set<string>([...entities, '*']);
  const reload = coalesced(load, (err) => log.warn({ err }, 'reload after a configuration change failed; keeping the last one'));
  return publisher.subscribe((c) => {
    if (wanted.has(c.entity)) void reload();
  });
}

/** At most one `load` at a time, plus at most one waiting behind it. */
export function coalesced(load: () => Promise<void>, onError: (err: unknown) => void): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> =>
    (inFlight = load()
      .catch(onError)
      .finally(() => {
        inFlight = null;
      }));
  return () => {
    if (next) return next;
    if (!inFlight) return start();
    next = inFlight.then(() => {
      next = null;
      return start();
    });
    return next;
  };
}
