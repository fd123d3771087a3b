export { classifyAddress, describeRange, isIpLiteral, type AddressClass } from './address-policy.js';
export { OutboundError, isOutboundError, type OutboundErrorReason } from './outbound-error.js';
export { checkUrl, parseOutboundUrl, systemResolver, redact, type CheckUrlOptions, type CheckedUrl, type ResolvedAddress, type Resolver } from './url-check.js';
export { createPinnedLookup } from './pinned-lookup.js';
export {
  guardedFetch,
  guardedRequest,
  contentTypeAllowed,
  HTML_CONTENT_TYPES,
  type GuardedFetchOptions,
  type GuardedResponse,
  type GuardedStreamResponse,
} from './guarded-fetch.js';
export { privateTargetPolicy, type PrivateTargets } from './policy.js';
