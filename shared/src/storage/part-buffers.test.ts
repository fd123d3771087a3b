import { describe, expect, it } from 'vitest';
import { PartBufferPool } from './part-buffers.js';

const MiB = 1024 * 1024;

describe('PartBufferPool', () => {
  it('lends up to its budget, then makes callers wait in order until buffers come back', async () => {
    const pool = new PartBufferPool(3 * MiB);
    const a = await pool.acquire(MiB);
    const b = await pool.acquire(MiB);
    const c = await pool.acquire(MiB);
    const got: string[] = [];
    const d = pool.acquire(MiB).then((buf) => (got.push('d'), buf));
    const e = pool.acquire(MiB).then((buf) => (got.push('e'), buf));
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([]);
    expect(pool.stats()).toMatchObject({ allocatedBytes: 3 * MiB, lentBytes: 3 * MiB, waiting: 2 });
    pool.release(b);
    expect(await d).toBe(b); // reused, not reallocated
    pool.release(a);
    expect(await e).toBe(a);
    expect(got).toEqual(['d', 'e']);
    pool.release(c);
    expect(pool.stats()).toMatchObject({ budgetBytes: 3 * MiB, allocatedBytes: 3 * MiB, peakBytes: 3 * MiB, lentBytes: 2 * MiB, waiting: 0 });
  });

  it('drops idle buffers of another size to make room, never exceeding the budget', async () => {
    const pool = new PartBufferPool(4 * MiB);
    const small = [await pool.acquire(MiB), await pool.acquire(MiB), await pool.acquire(MiB)];
    for (const s of small) pool.release(s);
    const big = await pool.acquire(2 * MiB);
    expect(big.length).toBe(2 * MiB);
    expect(pool.stats().allocatedBytes).toBeLessThanOrEqual(4 * MiB);
    expect(pool.stats().peakBytes).toBeLessThanOrEqual(4 * MiB);
  });

  it('grants a buffer larger than the whole budget only while nothing else is allocated', async () => {
    const pool = new PartBufferPool(MiB);
    const huge = await pool.acquire(2 * MiB);
    let second = false;
    const next = pool.acquire(2 * MiB).then((b) => ((second = true), b));
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    pool.release(huge);
    expect(await next).toBe(huge);
  });
});
