// Raw log lines carry every key once, whatever a child binds and a call site passes again.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.js';
import { duplicateKeys } from '../../../test/support/json-keys.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', name: 'logger-test', destination }) };
}

describe('logger', () => {
  it('finds duplicate keys in raw JSON (the check the other tests rely on)', () => {
    expect(duplicateKeys('{"pid":1,"a":{"pid":2},"pid":3}')).toEqual(['pid']);
    expect(duplicateKeys('{"a":"x\\"pid\\"","b":[{"c":1},{"c":2}]}')).toEqual([]);
  });

  it('writes a key bound by a child and repeated by the call once; a different value is kept under shadowed', () => {
    const { lines, logger } = capture();
    const req = logger.child({ request_id: 'r1' }).child({ tenant_id: 't1' });
    req.info({ method: 'GET', status: 200, tenant_id: 't1', pid: process.pid }, 'request');
    logger.error({ pid: 4242, code: 1 }, 'child exited');
    const job = logger.child({ job_id: 'j1' });
    job.setBindings({ tenant_id: 't2' });
    job.info({ tenant_id: 't2', job_id: 'j1', level: 'x' }, 'job line');
    logger.info('plain');
    logger.info(new Error('boom'), 'with error');

    expect(lines).toHaveLength(5);
    for (const line of lines) expect(duplicateKeys(line), line).toEqual([]);
    const [request, exited, jobLine] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(request).toMatchObject({ request_id: 'r1', tenant_id: 't1', pid: process.pid, status: 200, msg: 'request' });
    expect(request).not.toHaveProperty('shadowed');
    expect(exited).toMatchObject({ pid: process.pid, code: 1, shadowed: { pid: 4242 } });
    expect(jobLine).toMatchObject({ job_id: 'j1', tenant_id: 't2', level: 'info', shadowed: { level: 'x' } });
  });
});
