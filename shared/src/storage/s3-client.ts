// The one way to build an S3 client: Backblaze B2 in production, MinIO in compose, s3rver locally.
// Library-style: every setting comes from the options object (the caller reads config).
import { createHash } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  /** Omit for AWS itself; set for B2 / MinIO / s3rver. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** true for MinIO and s3rver (bucket in the path, not the host name). */
  forcePathStyle: boolean;
  /** TCP connect limit. Default 5 s. */
  connectionTimeoutMs?: number;
  /** Limit from sending a request until its response headers arrive (includes sending a part). Default 120 s. */
  requestTimeoutMs?: number;
  /** Limit on a silent socket, also while a response body streams. Default 60 s. */
  socketTimeoutMs?: number;
  /** Attempts per request, first one included (SDK standard retry mode with backoff). Default 3. */
  maxAttempts?: number;
}

/**
 * DeleteObjects is the one S3 operation whose request must carry an integrity checksum. The SDK now sends a CRC32
 * header for it even with requestChecksumCalculation WHEN_REQUIRED, which B2, older MinIO and other S3-compatible
 * stores reject ("Missing required header for this request: Content-Md5"). Send Content-MD5 instead, the way the
 * SDK team documents (supplemental-docs/MD5_FALLBACK.md): in the build step, after the checksum middleware.
 */
function useContentMd5(request: unknown): void {
  const req = request as { headers?: Record<string, string>; body?: unknown } | undefined;
  if (!req?.headers) return;
  for (const name of Object.keys(req.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-checksum-') || lower.startsWith('x-amz-sdk-checksum-') || lower === 'content-md5') {
      delete req.headers[name];
    }
  }
  if (typeof req.body === 'string' || req.body instanceof Uint8Array) {
    req.headers['content-md5'] = createHash('md5').update(req.body).digest('base64');
  }
}

/** Commands whose body is object data: over TLS their payload is sent unsigned (see createS3Client). */
const OBJECT_DATA_COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand']);

export function createS3Client(opts: S3ClientOptions): S3Client {
  const config: S3ClientConfig = {
    region: opts.region,
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    forcePathStyle: opts.forcePathStyle,
    // B2 (and s3rver, which would store the aws-chunked framing as object bytes) reject the SDK's default
    // CRC32 checksum headers/trailers: send and validate checksums only where the API requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: opts.maxAttempts ?? 3,
    retryMode: 'standard',
    // A hung endpoint must not hang callers: bounded connect, bounded time-to-response, bounded silence.
    requestHandler: {
      connectionTimeout: opts.connectionTimeoutMs ?? 5_000,
      requestTimeout: opts.requestTimeoutMs ?? 120_000,
      throwOnRequestTimeout: true,
      socketTimeout: opts.socketTimeoutMs ?? 60_000,
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    },
  };
  if (opts.endpoint) config.endpoint = opts.endpoint;
  const client = new S3Client(config);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteObjectsCommand') useContentMd5(args.request);
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'deleteObjectsContentMd5', override: true },
  );
  // SigV4 signs a request's body by its SHA-256 (x-amz-content-sha256): for object data that is a second full hash
  // of every byte an upload stores (uploadStream already hashes the file for the sha256 it records), about 0.8 of
  // the API's ~7 CPU-s per GiB uploaded. Over TLS the transport protects the bytes against corruption and
  // tampering, so PutObject and UploadPart send UNSIGNED-PAYLOAD there, as AWS documents for HTTPS (the presigned
  // PUTs of presign.ts are signed the same way). Over plain HTTP (s3rver, MinIO in compose) the payload stays
  // signed: there the signature is the only check that the bytes stored are the bytes sent. Headers are signed
  // either way.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as { protocol?: string; headers?: Record<string, string> } | undefined;
      if (req?.headers && req.protocol === 'https:' && OBJECT_DATA_COMMANDS.has(context.commandName ?? '')) {
        req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'unsignedObjectPayloadOverTls', override: true },
  );
  return client;
}
