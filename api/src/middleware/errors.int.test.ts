// The error handler's answers for real Postgres failures (not hand-made error objects): a statement whose server
// connection is terminated under it (what a Postgres restart does to every statement in flight) is a temporary
// unavailability — 503 with Retry-After and the API.md error body, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request, Response } from 'express';
import { loadConfig } from '../../../shared/src/config/index.js';
import { createPrisma, type PrismaClient } from '../../../shared/src/db/client.js';
import { errorHandler } from './errors.js';

let victim: PrismaClient;
let admin: PrismaClient;
beforeAll(() => {
  const url = loadConfig().DATABASE_URL;
  victim = createPrisma(url, { poolMax: 1 });
  admin = createPrisma(url, { poolMax: 1 });
});
afterAll(async () => {
  await victim?.$disconnect();
  await admin?.$disconnect();
});

/** Runs `err` through the handler and returns what it answered. */
function answer(err: unknown): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const out = { status: 0, headers: {} as Record<string, string>, body: {} as Record<string, unknown> };
  const res = {
    headersSent: false,
    setHeader: (k: string, v: string) => void (out.headers[k.toLowerCase()] = v),
    status(code: number) {
      out.status = code;
      return this;
    },
    json: (b: Record<string, unknown>) => void (out.body = b),
  } as unknown as Response;
  const req = { id: 'req-1', log: { error: () => undefined } } as unknown as Request;
  errorHandler(err, req, res, () => undefined);
  return out;
}

describe('errors from a Postgres server that goes away', () => {
  it('a raw statement terminated by the server (57P01, as in a restart) → 503 with Retry-After', async () => {
    const [row] = await victim.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    const inFlight = victim.$queryRaw`SELECT pg_sleep(5)`.then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await admin.$queryRaw`SELECT pg_terminate_backend(${row!.pid}::int)`;
    const err = await inFlight;
    expect(err).toMatchObject({ code: 'P2010' }); // the shape raw queries fail with
    const a = answer(err);
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('5');
    expect(a.body).toMatchObject({ code: 'service_unavailable', request_id: 'req-1' });
  });

  it('a statement cancelled by statement_timeout (57014) → 503', async () => {
    const err = await victim.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL statement_timeout = 50`;
      await tx.$queryRaw`SELECT pg_sleep(1)`;
    }).then(() => null, (e: unknown) => e);
    expect(answer(err).status).toBe(503);
  });
});
