import type { Config } from '../config/index.js';
import { createS3Client } from './s3-client.js';

/** The S3 client for the configured endpoint (B2, MinIO, s3rver or AWS). */
export const s3ClientFromConfig = (config: Config) =>
  createS3Client({
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
