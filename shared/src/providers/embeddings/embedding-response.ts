// Validation of an OpenAI-compatible embeddings response: one item per input, indices 0..n-1 each exactly once,
// every vector of the configured dimension with finite numbers. Vectors are returned in input order.
// Written by hand rather than with zod: a full batch is 2,048 × 1,536 numbers and this is the hot path.
import { ProviderError } from '../http/provider-error.js';

export type ParsedEmbeddings =
  | { ok: true; vectors: number[][]; promptTokens: number | undefined }
  | { ok: false; error: ProviderError; promptTokens: number | undefined };

function decodeBase64Floats(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  const floats = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
  return Array.from(floats);
}

export function parseEmbeddingResponse(json: unknown, expected: number, dimensions: number, provider: string): ParsedEmbeddings {
  const body = json as { data?: unknown; usage?: { prompt_tokens?: unknown } } | null;
  const pt = body?.usage?.prompt_tokens;
  const promptTokens = typeof pt === 'number' && Number.isFinite(pt) && pt >= 0 ? pt : undefined;
  const bad = (message: string, permanent = false): ParsedEmbeddings => ({
    ok: false,
    promptTokens,
    error: new ProviderError(`${provider}: invalid embeddings response: ${message}`, { provider, code: 'invalid_response', permanent }),
  });

  if (!body || typeof body !== 'object' || !Array.isArray(body.data)) return bad('no data array');
  if (body.data.length !== expected) return bad(`${body.data.length} embeddings for ${expected} inputs`);
  const vectors = new Array<number[]>(expected);
  for (let k = 0; k < body.data.length; k++) {
    const item = body.data[k] as { index?: unknown; embedding?: unknown } | null;
    const index = item?.index ?? k;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected) return bad(`item ${k} has index ${String(index)}`);
    if (vectors[index]) return bad(`index ${index} appears twice`);
    let v = item?.embedding;
    if (typeof v === 'string') v = decodeBase64Floats(v);
    if (!Array.isArray(v)) return bad(`item ${k} has no embedding`);
    if (v.length !== dimensions) {
      // A dimension mismatch is configuration (model vs EMBEDDING_DIMENSIONS), not luck: do not retry.
      return bad(`embedding has ${v.length} dimensions, expected ${dimensions}`, true);
    }
    for (let d = 0; d < v.length; d++) {
      if (typeof v[d] !== 'number' || !Number.isFinite(v[d])) return bad(`item ${k} has a non-finite value`);
    }
    vectors[index] = v as number[];
  }
  return { ok: true, vectors, promptTokens };
}
