// ListObjectsV2 for s3rver 3.7, whose own implementation makes its continuation tokens with DES: OpenSSL 3
// (Node ≥ 17) has no DES by default, so every truncated listing and every follow-up page fails there with
// 500 InternalError (ERR_OSSL_EVP_UNSUPPORTED). This middleware answers `GET /{bucket}?list-type=2` from the same
// store listing s3rver uses, with a plain opaque token (base64url of the last key). ListObjects v1 stays s3rver's.
import { S3Error, authentication, one, parsePath, requireBucket, type KoaMiddleware } from './s3rver-internals.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const OWNER = { ID: '123456789000', DisplayName: 'S3rver' };
const TOKEN_TAG = 'v2:';

const encodeToken = (key: string) => Buffer.from(`${TOKEN_TAG}${key}`, 'utf8').toString('base64url');

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_TAG)) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
    });
  }
  return text.slice(TOKEN_TAG.length);
}

function maxKeysOf(raw: string | undefined): number {
  if (raw === undefined) return 1000;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 2147483647) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: raw,
    });
  }
  return Math.min(n, 1000);
}

export function listObjectsV2Middleware(): KoaMiddleware {
  const authenticate = authentication();
  return async (ctx, next) => {
    const target = parsePath(ctx.path);
    if (ctx.method !== 'GET' || one(ctx.query['list-type']) !== '2' || !target || target.key !== undefined) {
      return next();
    }
    ctx.params = { ...ctx.params, bucket: target.bucket };
    return authenticate(ctx, async () => {
      await requireBucket(ctx, target.bucket);
      const prefix = one(ctx.query.prefix) ?? '';
      const delimiter = one(ctx.query.delimiter) ?? '';
      const token = one(ctx.query['continuation-token']);
      const startAfter = token ? decodeToken(token) : (one(ctx.query['start-after']) ?? '');
      const maxKeys = maxKeysOf(one(ctx.query['max-keys']));
      const result =
        maxKeys === 0
          ? { objects: [], commonPrefixes: [], isTruncated: false }
          : await ctx.store.listObjects(target.bucket, {
              prefix: prefix || undefined,
              delimiter: delimiter || undefined,
              startAfter: startAfter || undefined,
              maxKeys,
            });
      const last = result.objects[result.objects.length - 1];
      const fetchOwner = one(ctx.query['fetch-owner']) === 'true';
      ctx.body = {
        ListBucketResult: {
          '@': { xmlns: XMLNS },
          Name: target.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}),
          ...(result.isTruncated && last ? { NextContinuationToken: encodeToken(last.key) } : {}),
          KeyCount: result.objects.length + result.commonPrefixes.length,
          MaxKeys: maxKeys,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          IsTruncated: result.isTruncated,
          Contents: result.objects.map((o) => ({
            Key: o.key,
            LastModified: o.lastModifiedDate.toISOString(),
            ETag: o.metadata.etag,
            Size: o.size,
            ...(fetchOwner ? { Owner: OWNER } : {}),
            StorageClass: 'STANDARD',
          })),
          CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: p })),
        },
      };
    });
  };
}
