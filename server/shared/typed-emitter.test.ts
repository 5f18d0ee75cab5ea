import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './typed-emitter';

type Events = { ended: { cause: string }; ready: void };

describe('TypedEmitter', () => {
  it('calls listeners in order with the payload, and on() returns a remover', () => {
    const errors: unknown[] = [];
    const em = new TypedEmitter<Events>((err) => errors.push(err));
    const seen: string[] = [];
    const off = em.on('ended', (e) => seen.push(`a:${e.cause}`));
    em.on('ended', (e) => seen.push(`b:${e.cause}`));
    em.emit('ended', { cause: 'bye' });
    off();
    em.emit('ended', { cause: 'again' });
    expect(seen).toEqual(['a:bye', 'b:bye', 'b:again']);
    expect(errors).toEqual([]);
  });

  it('a throwing listener is reported and the others still run', () => {
    const errors: Array<[unknown, string]> = [];
    const em = new TypedEmitter<Events>((err, event) => errors.push([err, String(event)]));
    let ran = 0;
    em.on('ready', () => {
      throw new Error('boom');
    });
    em.on('ready', () => ran++);
    em.emit('ready');
    expect(ran).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toBe('ready');
  });

  it('once() fires a single time; a listener removing itself mid-emit does not skip others', () => {
    const em = new TypedEmitter<Events>(() => {});
    let once = 0;
    let other = 0;
    em.once('ready', () => once++);
    const off = em.on('ready', () => off());
    em.on('ready', () => other++);
    em.emit('ready');
    em.emit('ready');
    expect(once).toBe(1);
    expect(other).toBe(2);
    expect(em.listenerCount('ready')).toBe(1);
    em.clear();
    expect(em.listenerCount('ready')).toBe(0);
  });
});
