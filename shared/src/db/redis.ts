// Redis connections. Three roles, because their failure behaviour must differ:
// - "command": API-side commands (rate limits, heartbeats reads, health). Fails fast when Redis is away
//   (no offline queue, one retry per request) so requests fall back instead of hanging.
// - "bullmq": BullMQ workers/queues need maxRetriesPerRequest: null (DESIGN.md §6).
// - "subscriber": pub/sub listener; reconnects forever.
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'command' | 'bullmq' | 'subscriber';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = {
    connectTimeout: 2000,
    // Reconnect with capped backoff forever; callers decide what to do meanwhile.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    lazyConnect: false,
  };
  const byRole: Record<RedisRole, RedisOptions> = {
    command: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1500 },
    bullmq: { maxRetriesPerRequest: null, enableReadyCheck: false },
    subscriber: { maxRetriesPerRequest: null },
  };
  const client = new Redis(url, { ...base, ...byRole[role], ...extra });
  // Connection errors are expected while Redis restarts; health and callers surface them. Without a
  // listener ioredis would print every reconnect attempt as an unhandled error event.
  client.on('error', () => undefined);
  return client;
}

/** Resolves once the connection is ready, or after `timeoutMs` (callers then carry on degraded). */
export async function whenReady(client: Redis, timeoutMs = 5000): Promise<boolean> {
  if (client.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.once('ready', onReady);
  });
}
