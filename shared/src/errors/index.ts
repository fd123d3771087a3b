// One error model (DESIGN.md §4): AppError(code, status, detail) with one table from code to status.
// Bodies on the wire: {"detail": <string | list>, "code": "<code>", "request_id": "<id>"} (API.md).

export const ERROR_STATUS = {
  bad_request: 400,
  not_authenticated: 401,
  invalid_api_key: 401,
  api_key_expired: 401,
  unauthorized: 401,
  forbidden: 403,
  insufficient_scope: 403,
  key_outside_prefix: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  quota_exceeded: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  validation_error: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string | ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : `${code}: ${detail.map((d) => d.msg).join('; ')}`);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what = 'Not found') => new AppError('not_found', what);
export const conflict = (detail: string) => new AppError('conflict', detail);
export const validation = (issues: ValidationIssue[]) => new AppError('validation_error', issues);
/** A single-field 422 in the API.md list shape. */
export const invalid = (loc: (string | number)[], msg: string, type = 'value_error') =>
  new AppError('validation_error', [{ loc, msg, type }]);
