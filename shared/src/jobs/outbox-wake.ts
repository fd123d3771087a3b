// Wakes a relay when a transaction that wrote outbox entries for its prefix commits (the producer's pg_notify is
// delivered by Postgres only at commit). One dedicated connection per relay; it reconnects after an error, and
// the relay's poll covers the moments it is away.
import pg from 'pg';
import type { Logger } from '../logger/index.js';
import { OUTBOX_CHANNEL } from './producer.js';

const RECONNECT_MS = 2000;

export function listenForOutbox(databaseUrl: string, prefix: string, wake: () => void, logger: Logger): () => Promise<void> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const c = new pg.Client({ connectionString: databaseUrl, application_name: 'outbox-relay' });
    client = c;
    c.on('notification', (n) => {
      if (n.payload === prefix) wake();
    });
    let lost = false;
    const onLost = (err: unknown) => {
      if (lost || stopped) return;
      lost = true;
      logger.warn({ err }, 'outbox listener connection lost; polling until it is back');
      void c.end().catch(() => undefined);
      retry = setTimeout(() => void connect(), RECONNECT_MS);
    };
    c.on('error', onLost);
    try {
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (stopped) await c.end();
      else wake(); // entries committed while the listener was away
    } catch (err) {
      onLost(err);
    }
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
