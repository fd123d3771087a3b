import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, handle, RegistryError } from './registry.js';
import { defineJob } from '../../shared/src/jobs/definitions.js';
import { ALL_JOBS } from '../../shared/src/jobs/definitions.js';

const a = defineJob({ name: 'a.one', queue: 'ingest', jobType: 'ingest', schema: z.object({}), attempts: 1, backoffMs: 1 });
const b = defineJob({ name: 'b.two', queue: 'embed', jobType: 'embed', schema: z.object({}), attempts: 1, backoffMs: 1 });
const noop = async () => undefined;

describe('worker registry', () => {
  it('accepts exactly one handler per definition and lists the queues', () => {
    const r = createRegistry([a, b], [handle(a, noop), handle(b, noop)]);
    expect(r.queues().sort()).toEqual(['embed', 'ingest']);
    expect(r.get('a.one')?.def).toBe(a);
    expect(r.get('zzz')).toBeUndefined();
  });

  it('refuses to boot on a missing handler, a duplicate handler or an unknown job — all listed', () => {
    const stray = defineJob({ ...a, name: 'stray' });
    try {
      createRegistry([a, b], [handle(a, noop), handle(a, noop), handle(stray, noop)]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RegistryError);
      const msg = (err as Error).message;
      expect(msg).toContain('"a.one" has more than one handler');
      expect(msg).toContain('unknown job "stray"');
      expect(msg).toContain('"b.two" has no handler');
    }
  });

  it('job names are unique across the product definitions', () => {
    const names = ALL_JOBS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
