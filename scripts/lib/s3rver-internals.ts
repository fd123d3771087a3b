// The parts of s3rver 3.7 (CommonJS, no exports map, no types) that the additions in this folder reuse: its S3
// error model (rendered as S3 XML errors by s3rver's own error handler) and its authentication middleware.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type Next = () => Promise<unknown>;

export interface S3rverObject {
  key: string;
  size: number;
  lastModifiedDate: Date;
  metadata: Record<string, string>;
}

export interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getBucket(bucket: string): Promise<unknown>;
  listObjects(
    bucket: string,
    options: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys?: number },
  ): Promise<{ objects: S3rverObject[]; commonPrefixes: string[]; isTruncated: boolean }>;
}

/** The slice of a Koa context these middlewares use. */
export interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  params: Record<string, string | undefined>;
  state: Record<string, unknown>;
  store: FilesystemStore;
  body: unknown;
  status: number;
}
export type KoaMiddleware = (ctx: KoaContext, next: Next) => Promise<unknown>;

type S3ErrorCtor = new (code: string, message: string, detail?: Record<string, unknown>) => Error;
export const S3Error = require('s3rver/lib/models/error') as S3ErrorCtor;
/** s3rver's request authentication: known access key id required for signed requests (SigV4 not verified). */
export const authentication = require('s3rver/lib/middleware/authentication') as () => KoaMiddleware;

export const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Path-style: /bucket, /bucket/ (the SDK's form for bucket operations) or /bucket/key. */
export function parsePath(path: string): { bucket: string; key?: string } | null {
  const m = /^\/([^/]+)(?:\/(.*))?$/.exec(path);
  if (!m?.[1]) return null;
  try {
    return { bucket: decodeURIComponent(m[1]), key: m[2] ? decodeURIComponent(m[2]) : undefined };
  } catch {
    return null;
  }
}

export async function requireBucket(ctx: KoaContext, bucket: string): Promise<void> {
  if (!(await ctx.store.getBucket(bucket))) {
    throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  }
}
