// Cross-process invalidation of cached API-key lookups. A revocation (or tenant deactivation) is published on
// a Redis channel; every API process drops the matching cache entries at once. Because pub/sub messages sent
// while a subscriber is disconnected are lost, subscribers clear their whole cache whenever they (re)connect.
import type { Redis } from 'ioredis';

export const revocationChannel = (prefix: string) => `${prefix}:auth:invalidate`;

export type InvalidationMessage = { kind: 'key'; keyHash: string } | { kind: 'tenant'; tenantId: string };

export async function publishInvalidation(redis: Redis, prefix: string, msg: InvalidationMessage): Promise<void> {
  await redis.publish(revocationChannel(prefix), JSON.stringify(msg));
}

export function subscribeInvalidations(
  subscriber: Redis,
  prefix: string,
  handlers: { onMessage: (msg: InvalidationMessage) => void; onResync: () => void },
): () => Promise<void> {
  const channel = revocationChannel(prefix);
  const onMessage = (ch: string, raw: string) => {
    if (ch !== channel) return;
    try {
      handlers.onMessage(JSON.parse(raw) as InvalidationMessage);
    } catch {
      handlers.onResync();
    }
  };
  const onReady = () => {
    handlers.onResync();
    subscriber.subscribe(channel).catch(() => undefined);
  };
  subscriber.on('message', onMessage);
  subscriber.on('ready', onReady);
  if (subscriber.status === 'ready') subscriber.subscribe(channel).catch(() => undefined);
  return async () => {
    subscriber.off('message', onMessage);
    subscriber.off('ready', onReady);
    await subscriber.unsubscribe(channel).catch(() => undefined);
  };
}
