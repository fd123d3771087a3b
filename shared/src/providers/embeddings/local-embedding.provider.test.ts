import { describe, expect, it } from 'vitest';
import { MemoryCostRecorder } from '../http/cost.js';
import { LocalEmbeddingProvider } from './local-embedding.provider.js';

const ctx = { tenantId: 't1', jobId: 'j1', action: 'embed' };
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

describe('LocalEmbeddingProvider', () => {
  it('is deterministic across calls and instances', async () => {
    const texts = ['Vector search finds similar chunks.', 'Привет, мир', ''];
    const a = await new LocalEmbeddingProvider({ dimensions: 256 }).embed(texts, ctx);
    const p = new LocalEmbeddingProvider({ dimensions: 256 });
    const b = await p.embed(texts, ctx);
    const c = await p.embed([...texts].reverse(), ctx);
    expect(b).toEqual(a);
    expect(c.reverse()).toEqual(a);
  });

  it('returns L2-normalised vectors of the configured dimension, never zero', async () => {
    for (const dimensions of [64, 384, 768]) {
      const p = new LocalEmbeddingProvider({ dimensions });
      const vs = await p.embed(['Some text about databases.', '', 'the of and', '42', 'x'.repeat(5000)], ctx);
      for (const v of vs) {
        expect(v).toHaveLength(dimensions);
        expect(norm(v)).toBeCloseTo(1, 5);
      }
    }
    expect(() => new LocalEmbeddingProvider({ dimensions: 0 })).toThrow(RangeError);
  });

  it('normalises case and Unicode forms (NFKC) before hashing', async () => {
    const p = new LocalEmbeddingProvider({ dimensions: 256 });
    const [a, b, c, d] = await p.embed(['Embedding search', 'EMBEDDING   SEARCH', 'Ｅｍｂｅｄｄｉｎｇ ｓｅａｒｃｈ', 'embedding sorting'], ctx);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(d).not.toEqual(a);
  });

  it('puts texts that share vocabulary closer than unrelated texts', async () => {
    const p = new LocalEmbeddingProvider({ dimensions: 768 });
    const [q, near, inflected, far, far2] = await p.embed(
      [
        'How does the vector index speed up similarity search over embeddings?',
        'The vector index (HNSW) speeds up similarity search across stored embeddings.',
        'Indexing vectors makes searching similar embedded documents faster.',
        'Whisk the eggs with sugar, then fold in the flour and bake for twenty minutes.',
        'The French revolution began in 1789 with the storming of the Bastille.',
      ],
      ctx,
    );
    expect(cosine(q!, near!)).toBeGreaterThan(cosine(q!, far!) + 0.2);
    expect(cosine(q!, inflected!)).toBeGreaterThan(cosine(q!, far!));
    expect(cosine(q!, inflected!)).toBeGreaterThan(cosine(q!, far2!));
    expect(Math.abs(cosine(far!, far2!))).toBeLessThan(0.2);
  });

  it('finds the chunk a sentence came from (also for Cyrillic text)', async () => {
    const p = new LocalEmbeddingProvider({ dimensions: 768 });
    const chunks = [
      'Python lists are mutable sequences; append adds an item and pop removes the last one.',
      'A dictionary maps keys to values and looks them up in constant time on average.',
      'Рекурсивная функция вызывает саму себя и должна иметь базовый случай остановки.',
      'Git branches let you develop features in isolation and merge them later.',
      'Функція map застосовує задану функцію до кожного елемента списку.',
    ];
    const vs = await p.embed(chunks, ctx);
    const queries = ['append adds an item to a python list', 'базовый случай рекурсивной функции', 'merge git branches', 'функція map для кожного елемента'];
    const expected = [0, 2, 3, 4];
    const qv = await p.embed(queries, ctx);
    qv.forEach((q, i) => {
      const ranked = vs.map((v, j) => [cosine(q, v), j] as const).sort((x, y) => y[0] - x[0]);
      expect(ranked[0]![1]).toBe(expected[i]);
    });
  });

  it('reports each call once to the cost recorder, at cost 0, with word counts as units', async () => {
    const recorder = new MemoryCostRecorder();
    const p = new LocalEmbeddingProvider({ dimensions: 64, recorder });
    await p.embed(['one two three', 'four five'], { tenantId: 't9', action: 'search' });
    await p.embed(['six'], ctx);
    expect(recorder.rows).toHaveLength(2);
    expect(recorder.rows[0]).toMatchObject({ tenantId: 't9', jobId: null, action: 'search', provider: 'local', model: 'local-hash-v1', unitsIn: 5, unitsOut: 0, costUsd: 0, success: true });
    expect(recorder.rows[1]).toMatchObject({ jobId: 'j1', unitsIn: 1 });
  });
});
