// S3 layer: client, streaming upload, key layout, object and multipart helpers, presigned PUT.
export { createS3Client, type S3ClientOptions } from './s3-client.js';
export {
  uploadStream,
  partSizeFor,
  tooLarge,
  MIN_PART_SIZE,
  MAX_PARTS,
  DEFAULT_QUEUE_SIZE,
  UPLOAD_BUFFER_BUDGET,
  uploadBufferStats,
  type UploadStreamOptions,
  type UploadStreamResult,
} from './upload-stream.js';
export { PartBufferPool } from './part-buffers.js';
export {
  safeFilename,
  fileExtension,
  tenantPrefix,
  nodePrefix,
  materialPrefix,
  materialObjectKey,
  homeworkPrefix,
  homeworkObjectKey,
  isKeyUnderPrefix,
  MAX_FILENAME_BYTES,
} from './object-keys.js';
export {
  headObject,
  getObjectStream,
  deleteObject,
  deleteObjects,
  listPrefix,
  prefixUsage,
  headBucket,
  ensureBucket,
  isNotFound,
  type BucketRef,
  type ObjectInfo,
  type ListedObject,
  type DeleteObjectsResult,
} from './objects.js';
export {
  listUnfinishedMultipartUploads,
  abortMultipartUpload,
  abortMultipartUploadsUnder,
  type UnfinishedUpload,
} from './multipart.js';
export { presignPut, PRESIGN_EXPIRES_SECONDS, type PresignedPut } from './presign.js';
