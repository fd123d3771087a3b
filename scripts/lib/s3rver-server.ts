// Starts s3rver (the npm fake S3) configured for the AWS SDK v3 as this project uses it: path-style bucket
// addressing only, the multipart operations s3rver lacks added (./s3rver-multipart.ts), ListObjectsV2 paging that
// works on OpenSSL 3 (./s3rver-list-objects.ts), data in a directory of the caller's choice.
// Used by scripts/s3rver.ts (the local endpoint) and by integration tests that need an endpoint of their own.
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { KoaMiddleware } from './s3rver-internals.js';
import { listObjectsV2Middleware } from './s3rver-list-objects.js';
import { multipartMiddleware } from './s3rver-multipart.js';

const require = createRequire(import.meta.url);

interface S3rverApp {
  middleware: KoaMiddleware[];
  httpServer?: Server;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverApp;

/** s3rver's built-in credentials (its one dummy account). Any other access key id is refused. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3Options {
  host: string;
  /** 0 picks a free port. */
  port: number;
  directory: string;
  /** Buckets created at start (idempotent). */
  buckets?: string[];
  /** Log one line per request to stdout. */
  verbose?: boolean;
}

export interface LocalS3 {
  url: string;
  host: string;
  port: number;
  directory: string;
  /** Stops accepting, waits for in-flight requests up to graceMs, then drops remaining connections. */
  close(graceMs?: number): Promise<void>;
}

export async function startLocalS3(opts: LocalS3Options): Promise<LocalS3> {
  await mkdir(opts.directory, { recursive: true });
  const S3rver = require('s3rver') as S3rverCtor;
  const app = new S3rver({
    address: opts.host,
    port: opts.port,
    directory: opts.directory,
    silent: !opts.verbose,
    // Path-style only: with vhost buckets on, any non-IP Host header other than "localhost" is taken as a bucket.
    vhostBuckets: false,
    allowMismatchedSignatures: false,
    resetOnClose: false,
    configureBuckets: (opts.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  // The router is s3rver's last middleware; the additions go right before it (after its XML body encoder).
  app.middleware.splice(app.middleware.length - 1, 0, multipartMiddleware(), listObjectsV2Middleware());
  const address = await app.run();
  const server = app.httpServer;
  if (!server) throw new Error('s3rver did not start an HTTP server');
  // Stream-friendly server timeouts: a slow multipart part must not be cut off by Node's 5-minute default.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    host: address.address,
    port: address.port,
    directory: opts.directory,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * An endpoint of its own for a test file: s3rver on 127.0.0.1, a free port, data in a fresh temp directory that
 * close() removes. Does not depend on anything else running.
 */
export async function startTempLocalS3(buckets: string[] = []): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = await startLocalS3({ host: '127.0.0.1', port: 0, directory, buckets });
  return {
    ...server,
    async close(graceMs?: number) {
      await server.close(graceMs);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
