// Worker heartbeats in Redis: one sorted set, member = worker id, score = last beat (ms since epoch).
// Every API process reads the same set for /health; the worker's own healthcheck reads its member.
import type { Redis } from 'ioredis';

export const heartbeatKey = (prefix: string) => `${prefix}:workers:heartbeats`;

export async function beat(redis: Redis, prefix: string, workerId: string, now = Date.now()): Promise<void> {
  const key = heartbeatKey(prefix);
  await redis
    .multi()
    .zadd(key, now, workerId)
    // Forget workers silent for a day so the set does not grow across deploys.
    .zremrangebyscore(key, 0, now - 86_400_000)
    .exec();
}

export async function removeHeartbeat(redis: Redis, prefix: string, workerId: string): Promise<void> {
  await redis.zrem(heartbeatKey(prefix), workerId);
}

/** Age in ms of the freshest heartbeat (of one worker when given), or null when there is none. */
export async function heartbeatAge(redis: Redis, prefix: string, workerId?: string, now = Date.now()): Promise<number | null> {
  if (workerId) {
    const score = await redis.zscore(heartbeatKey(prefix), workerId);
    return score === null ? null : now - Number(score);
  }
  const newest = await redis.zrevrange(heartbeatKey(prefix), 0, 0, 'WITHSCORES');
  return newest.length < 2 ? null : now - Number(newest[1]);
}
