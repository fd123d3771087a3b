import { describe, expect, it } from 'vitest';
import { createPinnedLookup } from './pinned-lookup.js';

type Cb = (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;
const call = (lookup: ReturnType<typeof createPinnedLookup>, host: string, options: unknown) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address?: unknown; family?: number }>((resolve) =>
    (lookup as unknown as (h: string, o: unknown, cb: Cb) => void)(host, options, (err, address, family) => resolve({ err, address, family })),
  );

describe('createPinnedLookup', () => {
  const lookup = createPinnedLookup([
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1::1', family: 6 },
  ]);

  it('answers only the pinned addresses, whatever name is asked', async () => {
    expect(await call(lookup, 'anything.example', {})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await call(lookup, 'localhost', { all: true })).toEqual({
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
      family: undefined,
    });
  });

  it('honours a requested family and fails rather than falling back to DNS', async () => {
    expect((await call(lookup, 'x', { family: 6 })).address).toBe('2606:2800:220:1::1');
    expect((await call(lookup, 'x', 4)).address).toBe('93.184.216.34');
    const v4only = createPinnedLookup([{ address: '93.184.216.34', family: 4 }]);
    const r = await call(v4only, 'x', { family: 6, all: true });
    expect(r.err?.code).toBe('ENOTFOUND');
  });
});
