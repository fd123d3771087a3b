// All-but-the-top (Mu & Viswanath 2018) on the word vectors, in memory: exact cosine over each manual's chunks.
import { load, evalRanker, fmt, QUALITY_CORPORA, prisma } from './qual-exp.js';
import { loadWordVectors, type WordVectors } from '../../shared/src/providers/embeddings/word-vectors.js';
import { WordVectorEmbedder, WORDVEC_DEFAULTS } from '../../shared/src/providers/embeddings/word-vector-features.js';
import { DEFAULT_WORDVEC_DIR } from '../../shared/src/providers/embeddings/local-embedding.provider.js';

const wv = await loadWordVectors({ cacheDir: DEFAULT_WORDVEC_DIR });
const D = wv.dims;
function stats(n: number, topD: number) {
  const mu = new Float64Array(D);
  const tmp = new Float32Array(D);
  const rows: Float32Array[] = [];
  for (let r = 0; r < n; r++) { tmp.fill(0); wv.addRow(r, 1, tmp, 0); rows.push(Float32Array.from(tmp)); for (let d = 0; d < D; d++) mu[d]! += tmp[d]! / n; }
  const C = Array.from({ length: D }, () => new Float64Array(D));
  for (const v of rows) for (let i = 0; i < D; i++) { const a = v[i]! - mu[i]!; for (let j = 0; j < D; j++) C[i]![j]! += a * (v[j]! - mu[j]!); }
  const U: Float64Array[] = [];
  for (let k = 0; k < topD; k++) {
    let u = new Float64Array(D).map(() => Math.random());
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(D);
      for (let i = 0; i < D; i++) { let s = 0; for (let j = 0; j < D; j++) s += C[i]![j]! * u[j]!; w[i] = s; }
      for (const p of U) { let dp = 0; for (let i = 0; i < D; i++) dp += w[i]! * p[i]!; for (let i = 0; i < D; i++) w[i]! -= dp * p[i]!; }
      let nn = 0; for (let i = 0; i < D; i++) nn += w[i]! * w[i]!; nn = Math.sqrt(nn); u = w.map((x) => x / nn);
    }
    U.push(u);
  }
  return { mu, U };
}
// WordVectors whose rows are v − μ projected off the top PCs (linear, so applied to each row as it is added).
function abtt(base: WordVectors, mu: Float64Array, U: Float64Array[]): WordVectors {
  const tmp = new Float32Array(base.dims);
  return { ...base, lookup: base.lookup, addRow(row, weight, out, offset) {
    tmp.fill(0); base.addRow(row, 1, tmp, 0);
    for (let d = 0; d < D; d++) tmp[d]! -= mu[d]!;
    for (const u of U) { let dp = 0; for (let d = 0; d < D; d++) dp += tmp[d]! * u[d]!; for (let d = 0; d < D; d++) tmp[d]! -= dp * u[d]!; }
    for (let d = 0; d < D; d++) out[offset + d]! += weight * tmp[d]!;
  } } as WordVectors;
}
const { courses } = await load();
const variants: [string, WordVectors][] = [['v2', wv]];
for (const spec of (process.env.V ?? '50000:0,50000:1,50000:2,50000:3,50000:5').split(',')) {
  const [n, d] = spec.split(':').map(Number) as [number, number];
  const { mu, U } = stats(n, d);
  variants.push([`abtt n${n} d${d}`, abtt(wv, mu, U)]);
}
for (const [name, vecs] of variants) {
  const e = new WordVectorEmbedder(384, vecs, { ...WORDVEC_DEFAULTS, ...(process.env.SHARE ? { semanticShare: Number(process.env.SHARE) } : {}) });
  const line: string[] = [];
  for (const c of QUALITY_CORPORA) {
    const course = courses[c.name]!;
    const emb = (t: string) => { const o = new Float32Array(384); e.embedInto(t, o); return o; };
    const cv = course.chunks.map((ch) => emb(ch.text));
    const r = await evalRanker(course, c.questions, async (q) => {
      const qv = emb(q);
      const s = cv.map((v, i) => { let d = 0; for (let k = 0; k < 384; k++) d += v[k]! * qv[k]!; return [d, i] as const; });
      s.sort((a, b) => b[0] - a[0]);
      return s.slice(0, 10).map(([, i]) => course.chunks[i]!.materialId);
    });
    line.push(`${c.name} ${fmt(r)}`);
  }
  console.log(name.padEnd(16), line.join('   '));
}
await prisma.$disconnect();
