// A `lookup` for net/tls.connect that never asks DNS: it answers with the addresses checkUrl already approved,
// whatever host name it is asked about. The socket still uses the host name for TLS SNI and certificate checks,
// and undici still sends it as Host — only the IP the socket dials is pinned.
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './url-check.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void;

export function createPinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  const pinned = addresses.map((a) => ({ address: a.address, family: a.family }));
  const lookup = (hostname: string, options: unknown, callback: LookupCallback): void => {
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { family?: number | string; all?: boolean };
    const family = typeof options === 'number' ? options : opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);
    const list = family === 4 || family === 6 ? pinned.filter((a) => a.family === family) : pinned;
    if (list.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`No pinned address of family ${family} for ${hostname}`);
      err.code = 'ENOTFOUND';
      process.nextTick(callback, err, '', undefined);
      return;
    }
    if (opts.all) process.nextTick(callback, null, list);
    else process.nextTick(callback, null, list[0]!.address, list[0]!.family);
  };
  return lookup as unknown as LookupFunction;
}
