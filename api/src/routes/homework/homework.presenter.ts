import type { Submission, WebhookDelivery } from '../../../../shared/src/db/generated/client.js';

type WithStudent = Submission & { student: { externalId: string } };

export function presentSubmission(s: WithStudent) {
  return {
    id: s.id,
    student_id: s.studentId,
    student_external_id: s.student.externalId,
    materialnode_id: s.nodeId,
    course_node_id: s.courseNodeId,
    status: s.status,
    score: s.score,
    review: s.review ?? null,
    review_markdown: s.reviewMarkdown,
    file_sha256: s.fileSha256,
    original_filename: s.originalFilename,
    response_language: s.responseLanguage,
    job_id: s.jobId,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    failure_reason: s.failureReason,
    size_bytes: Number(s.sizeBytes),
  };
}

export function presentDelivery(d: WebhookDelivery) {
  return {
    delivery_id: d.deliveryId,
    event: d.event,
    attempt: d.attempt,
    outcome: d.outcome,
    http_status: d.httpStatus,
    latency_ms: d.latencyMs,
    error: d.error,
    created_at: d.createdAt.toISOString(),
  };
}

/** The single view: the submission with its webhook deliveries log (one row per attempt). */
export function presentSubmissionDetail(s: WithStudent & { deliveries: WebhookDelivery[] }) {
  return { ...presentSubmission(s), deliveries: s.deliveries.map(presentDelivery) };
}

export function presentSubmitResult(s: Submission, duplicate: boolean) {
  return { submission_id: s.id, student_id: s.studentId, status: s.status, job_id: s.jobId, duplicate };
}
