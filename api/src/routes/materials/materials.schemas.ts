import { z } from 'zod';
import '../../openapi.js';
import { SOURCE_TYPES } from '../../../../shared/src/materials/formats.js';

export const MaterialIdParams = z.object({ id: z.uuid() });
export const SourceTypeSchema = z.enum(SOURCE_TYPES);

export const MaterialSchema = z
  .object({
    id: z.uuid(),
    materialnode_id: z.uuid(),
    source_type: SourceTypeSchema,
    source_url: z.string().nullable(),
    filename: z.string().nullable(),
    order: z.number().int(),
    state: z.enum(['raw', 'pending', 'ready', 'error']),
    error_message: z.string().nullable(),
    job_id: z.uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    content_type: z.string().nullable(),
    size_bytes: z.number().int().nullable(),
    sha256: z.string().nullable(),
    chunk_count: z.number().int(),
  })
  .openapi('Material');

export const MaterialCreatedSchema = MaterialSchema.extend({ warnings: z.array(z.string()) }).openapi('MaterialCreated');

export const UploadMaterialForm = z
  .object({
    source_type: SourceTypeSchema,
    file: z.string().optional().openapi({ type: 'string', format: 'binary' }),
    source_url: z.string().optional(),
    filename: z.string().optional(),
  })
  .openapi('UploadMaterialForm');

export const UploadUrlBody = z
  .object({
    filename: z.string().min(1).max(1000),
    content_type: z.string().min(1).max(255),
    source_type: SourceTypeSchema,
    size_bytes: z.number().int().min(1).optional(),
  })
  .strict()
  .openapi('UploadUrlRequest');

export const UploadUrlResponse = z
  .object({
    upload_url: z.string(),
    key: z.string(),
    expires_in: z.number().int(),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
  })
  .openapi('UploadUrl');

export const ConfirmUploadBody = z
  .object({
    key: z.string().min(1).max(2000),
    source_type: SourceTypeSchema,
    filename: z.string().min(1).max(1000).optional(),
  })
  .strict()
  .openapi('ConfirmUpload');
