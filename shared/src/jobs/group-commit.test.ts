import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.js';

describe('groupCommit', () => {
  it('writes a lone call at once and the calls that arrive meanwhile together, each with its own answer', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    let gate: Promise<void> = new Promise((r) => (release = r));
    const write = groupCommit(async (items: number[]) => {
      batches.push(items);
      await gate;
      return items.map((i) => i * 10);
    });
    const first = write(1);
    const rest = [write(2), write(3), write(4)];
    expect(batches).toEqual([[1]]); // the first is in flight; the others wait for it
    const firstGate = release;
    gate = Promise.resolve();
    firstGate();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every call of a failed batch and keeps serving', async () => {
    let fail = true;
    const write = groupCommit(async (items: string[]) => {
      if (fail) throw new Error('db down');
      return items.map((s) => s.toUpperCase());
    });
    await expect(write('a')).rejects.toThrow('db down');
    fail = false;
    expect(await write('b')).toBe('B');
  });
});
