import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { ChangePublisher, type ConfigChange } from './change-publisher';
import { coalesced, reloadOnChange } from './reload-on-change';

/** A load the test finishes by hand, counting how many started. */
function manualLoad() {
  const pending: Array<() => void> = [];
  let started = 0;
  const load = () =>
    new Promise<void>((resolve) => {
      started++;
      pending.push(resolve);
    });
  return { load, started: () => started, finish: async () => (pending.shift()?.(), await new Promise((r) => setTimeout(r, 0))) };
}

const change = (version: number, entity: ConfigChange['entity']): ConfigChange => ({ version, entity, id: null, action: 'update', at: 0 });

describe('reloadOnChange', () => {
  it('loads on the entities it follows and on a polled version, not on others', async () => {
    const publisher = new ChangePublisher(createLogger('silent'));
    let loads = 0;
    reloadOnChange(publisher, ['number'], async () => void loads++, createLogger('silent'));
    publisher.published(change(1, 'queue'));
    publisher.published(change(2, 'number'));
    await new Promise((r) => setTimeout(r, 0));
    publisher.published(change(3, '*'));
    await new Promise((r) => setTimeout(r, 0));
    expect(loads).toBe(2);
  });

  it('never overlaps loads: changes during a load share one more load after it', async () => {
    const m = manualLoad();
    const reload = coalesced(m.load, () => undefined);
    void reload();
    void reload();
    void reload();
    expect(m.started()).toBe(1);
    await m.finish();
    expect(m.started()).toBe(2); // the one queued behind the first
    void reload();
    expect(m.started()).toBe(2);
    await m.finish();
    expect(m.started()).toBe(3);
    await m.finish();
    expect(m.started()).toBe(3);
  });

  it('a failed load is reported and the next change loads again', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const reload = coalesced(async () => {
      if (n++ === 0) throw new Error('database away');
    }, (err) => errors.push(err));
    await reload();
    await reload();
    expect(errors).toHaveLength(1);
    expect(n).toBe(2);
  });
});
