export { signPayload, verifySignature, parseSignatureHeader, SIGNATURE_HEADER, DEFAULT_SIGNATURE_TOLERANCE_SECONDS, type ParsedSignature } from './signature.js';
export {
  buildWebhookPayload,
  serializeWebhookPayload,
  WebhookPayloadSchema,
  WebhookReviewSchema,
  WEBHOOK_EVENTS,
  type BuildWebhookPayloadInput,
  type WebhookEvent,
  type WebhookPayload,
  type WebhookReview,
} from './payload.js';
export {
  deliverWebhook,
  classifyStatus,
  WEBHOOK_USER_AGENT,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  type DeliverWebhookOptions,
  type DeliveryOutcome,
  type DeliveryResult,
} from './deliver.js';
export { webhookBackoffMs, webhookRetryWindowMs, DEFAULT_WEBHOOK_BACKOFF, DEFAULT_WEBHOOK_MAX_ATTEMPTS, type WebhookBackoffPolicy } from './backoff.js';
export { encryptSecret, decryptSecret, parseAppKey, generateWebhookSecret, SecretDecryptionError } from './secret-crypto.js';
