import type { Material } from '../../../../shared/src/db/generated/client.js';

/** Every column but the normalized document (which no response shows). */
export function presentMaterial(m: Omit<Material, 'document'>) {
  return {
    id: m.id,
    materialnode_id: m.nodeId,
    source_type: m.sourceType,
    source_url: m.sourceUrl,
    filename: m.filename,
    order: m.order,
    state: m.state,
    error_message: m.errorMessage,
    job_id: m.jobId,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
    content_type: m.contentType,
    size_bytes: m.sizeBytes === null ? null : Number(m.sizeBytes),
    sha256: m.sha256,
    chunk_count: m.chunkCount,
  };
}
