// Docker HEALTHCHECK of the worker image: exit 0 when a worker of this container (same host name) sent a
// heartbeat within WORKER_STALE_AFTER_MS, 1 otherwise.
import { hostname } from 'node:os';
import { loadConfigOrExit } from '../shared/src/config/index.js';
import { createRedis } from '../shared/src/db/redis.js';
import { heartbeatKey } from '../shared/src/jobs/heartbeat.js';

const config = loadConfigOrExit();
const redis = createRedis(config.REDIS_URL, 'subscriber', { connectTimeout: 3000 });
const timer = setTimeout(() => {
  process.stderr.write('worker-health: Redis did not answer\n');
  process.exit(1);
}, 5000);
try {
  const entries = await redis.zrange(heartbeatKey(config.BULLMQ_PREFIX), '0', '-1', 'WITHSCORES');
  const mine = `${hostname()}:`;
  let newest = 0;
  for (let i = 0; i < entries.length; i += 2) {
    if ((entries[i] as string).startsWith(mine)) newest = Math.max(newest, Number(entries[i + 1]));
  }
  const age = Date.now() - newest;
  const ok = newest > 0 && age <= config.WORKER_STALE_AFTER_MS;
  process.stdout.write(ok ? `worker-health: ok (beat ${Math.round(age / 1000)} s ago)\n` : 'worker-health: no fresh heartbeat\n');
  process.exitCode = ok ? 0 : 1;
} finally {
  clearTimeout(timer);
  redis.disconnect();
}
