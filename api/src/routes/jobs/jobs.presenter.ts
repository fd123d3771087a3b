import type { Job } from '../../../../shared/src/db/generated/client.js';
import type { JobStatusRow } from './jobs.service.js';

type PresentedColumns =
  | 'id' | 'jobType' | 'priority' | 'status' | 'tenantId' | 'nodeId' | 'errorMessage' | 'queuedAt' | 'startedAt'
  | 'completedAt' | 'estimatedAt' | 'progress' | 'attempts' | 'dependsOn' | 'subjectId';

export function presentJob(j: Pick<Job, PresentedColumns> | Pick<JobStatusRow, PresentedColumns>, estimatedAt: Date | null = j.estimatedAt) {
  return {
    id: j.id,
    job_type: j.jobType,
    priority: j.priority,
    status: j.status,
    tenant_id: j.tenantId,
    materialnode_id: j.nodeId,
    error_message: j.errorMessage,
    queued_at: j.queuedAt.toISOString(),
    started_at: j.startedAt?.toISOString() ?? null,
    completed_at: j.completedAt?.toISOString() ?? null,
    estimated_at: estimatedAt?.toISOString() ?? null,
    progress: j.progress,
    attempts: j.attempts,
    depends_on: j.dependsOn,
    subject_id: j.subjectId,
  };
}
