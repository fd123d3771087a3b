// How long upload intents live (used by the API that writes them and the worker's sweeps that end them).

/** A presigned upload not confirmed within this time is deleted (object and intent). */
export const UNCONFIRMED_UPLOAD_TTL_MS = 24 * 3600 * 1000;
/** A streamed upload's reservation counts this long unless renewed; the upload renews it while it streams. */
export const STREAM_RESERVATION_TTL_MS = 15 * 60 * 1000;
