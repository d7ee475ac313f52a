import { describe, expect, it } from '@jest/globals';
import { coalesceKey, createCoalescer, isRead } from '../../../src/wandb/coalesce.js';

describe('coalescing of upstream reads', () => {
  it('isRead is true for queries (named, anonymous, after comments) and false for mutations', () => {
    expect(isRead('query RunsPage($a: Int) { x }')).toBe(true);
    expect(isRead('  { viewer { id } }')).toBe(true);
    expect(isRead('# a comment\nquery Q { x }')).toBe(true);
    expect(isRead('mutation UpsertRun { upsertBucket { inserted } }')).toBe(false);
    expect(isRead('# query in a comment\nmutation M { x }')).toBe(false);
    expect(isRead('subscription S { x }')).toBe(false);
  });

  it('the key differs by caller, document and variables, and holds no credential', () => {
    const k = coalesceKey('Basic secret', 'query Q { x }', { a: 1 });
    expect(k).not.toContain('secret');
    expect(coalesceKey('Basic other', 'query Q { x }', { a: 1 })).not.toBe(k);
    expect(coalesceKey('Basic secret', 'query R { x }', { a: 1 })).not.toBe(k);
    expect(coalesceKey('Basic secret', 'query Q { x }', { a: 2 })).not.toBe(k);
    expect(coalesceKey('Basic secret', 'query Q { x }', { a: 1 })).toBe(k);
  });

  it('reads in flight under one key share one send, each with its own copy; the entry leaves when it settles', async () => {
    const c = createCoalescer();
    let sends = 0;
    let release!: (v: { rows: number[] }) => void;
    const send = () => {
      sends++;
      return new Promise<{ rows: number[] }>((r) => (release = r));
    };
    const all = Promise.all([c.run('k', send), c.run('k', send), c.run('k', send)]);
    expect(c.size).toBe(1);
    release({ rows: [1, 2] });
    const [a, b, d] = await all;
    expect(sends).toBe(1);
    expect(c.shared).toBe(2);
    expect([a, b, d]).toEqual([{ rows: [1, 2] }, { rows: [1, 2] }, { rows: [1, 2] }]);
    b.rows.push(3);
    expect(a.rows).toEqual([1, 2]);
    expect(c.size).toBe(0);
    await c.run('k', async () => ({ rows: [] }));
    expect(sends).toBe(1);
  });

  it('a failed read fails every caller waiting on it, and the next read is sent again', async () => {
    const c = createCoalescer();
    const failing = c.run('k', () => Promise.reject(new Error('W&B down')));
    const waiting = c.run('k', async () => 'never sent');
    await expect(failing).rejects.toThrow('W&B down');
    await expect(waiting).rejects.toThrow('W&B down');
    await expect(c.run('k', async () => 'sent')).resolves.toBe('sent');
  });

  it('a caller that goes away stops waiting; the shared request is abandoned only when every caller has gone', async () => {
    const coalescer = createCoalescer();
    let sendSignal: AbortSignal | undefined;
    let answer: (v: number) => void = () => {};
    const send = (signal: AbortSignal) => {
      sendSignal = signal;
      return new Promise<number>((resolve) => (answer = resolve));
    };
    const a = new AbortController();
    const b = new AbortController();
    const first = coalescer.run('k', send, a.signal);
    const second = coalescer.run('k', send, b.signal);
    a.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(sendSignal!.aborted).toBe(false);
    answer(7);
    await expect(second).resolves.toBe(7);

    const c = new AbortController();
    const d = new AbortController();
    const third = coalescer.run('k2', send, c.signal);
    const fourth = coalescer.run('k2', send, d.signal);
    c.abort();
    d.abort();
    await expect(third).rejects.toMatchObject({ name: 'AbortError' });
    await expect(fourth).rejects.toMatchObject({ name: 'AbortError' });
    expect(sendSignal!.aborted).toBe(true);
  });
});
