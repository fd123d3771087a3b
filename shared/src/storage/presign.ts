// Presigned PUT for direct uploads (API.md upload-url): the client must send exactly the signed headers.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export const PRESIGN_EXPIRES_SECONDS = 900;

export interface PresignedPut {
  url: string;
  method: 'PUT';
  /** Headers the upload request must carry unchanged (they are part of the signature). */
  headers: Record<string, string>;
  expiresIn: number;
}

export async function presignPut(opts: {
  client: S3Client;
  bucket: string;
  key: string;
  contentType: string;
  /** When given, the signature covers Content-Length: a body of any other size is refused by S3. */
  contentLength?: number;
  expiresIn?: number;
}): Promise<PresignedPut> {
  const expiresIn = opts.expiresIn ?? PRESIGN_EXPIRES_SECONDS;
  const command = new PutObjectCommand({
    Bucket: opts.bucket,
    Key: opts.key,
    ContentType: opts.contentType,
    ...(opts.contentLength !== undefined ? { ContentLength: opts.contentLength } : {}),
  });
  // The presigner leaves content-type unsigned by default; sign it (and the length) so they cannot be changed.
  const signable = new Set(['content-type', ...(opts.contentLength !== undefined ? ['content-length'] : [])]);
  const url = await getSignedUrl(opts.client, command, { expiresIn, signableHeaders: signable });
  const headers: Record<string, string> = { 'content-type': opts.contentType };
  if (opts.contentLength !== undefined) headers['content-length'] = String(opts.contentLength);
  return { url, method: 'PUT', headers, expiresIn };
}
