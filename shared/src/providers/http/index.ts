export { ProviderError, isProviderError, isRetryableStatus, type ProviderErrorCode, type ProviderErrorInfo } from './provider-error.js';
export {
  MemoryCostRecorder,
  noopCostRecorder,
  priceTableSchema,
  tokenCost,
  audioCost,
  type CostRecorder,
  type CostRow,
  type ModelPrice,
  type PriceTable,
} from './cost.js';
export { DEFAULT_RETRY_POLICY, withRetries, backoffDelay, parseDuration, retryAfterFromHeaders, type RetryPolicy, type RetryHooks } from './retry.js';
export { postToProvider, joinUrl, scrubSecrets, type ProviderEndpoint, type ProviderResponse } from './provider-http.js';
export { mapWithConcurrency } from './concurrency.js';
