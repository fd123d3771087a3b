// ingestion: (1) a generated corpus of Markdown, HTML and PDF uploaded through the real API process and taken to
// `ready` by the real worker process (extraction in child processes, chunking, local embeddings, vector writes) —
// chunks/s from the first upload to the last material ready; no baseline (the product's end-to-end rate).
// (2) the vector insert path as the worker runs it (chunk rows via createMany, then writeChunkEmbeddings) vs COPY
// FROM STDIN of the same rows with their vectors into the same table (HNSW and GIN indexes in place on both), and
// COPY into the table without those indexes followed by building them (how the search scenario loads 100k rows).
// Per stage: the worker's own cs_ingest_stage_seconds histogram (scraped from its metrics port after the run)
// says where the corpus's time went — fetch, extract, chunk, insert (ingest.material), embed, write (embed.material).
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pgvector from 'pgvector';
import { newId } from '../../shared/src/db/ids.js';
import { writeChunkEmbeddings } from '../../shared/src/db/vector/vector.repository.js';
import { LocalEmbeddingProvider } from '../../shared/src/providers/embeddings/index.js';
import { apiOk, benchTenant, dropTenants, scenarioEnv, type BenchContext, type Scenario } from '../lib/context.js';
import { chunkText, htmlDoc, markdownDoc, pdfDoc, rng, topicWords } from '../lib/corpus.js';
import { freePort, startApiProcess, startWorkerProcess } from '../lib/procs.js';
import { row } from '../lib/report.js';

const MB = 1_000_000;

export const STAGES = ['fetch', 'extract', 'chunk', 'insert', 'embed', 'write'] as const;

/** Sum and count of each stage from a Prometheus text exposition of cs_ingest_stage_seconds. */
export function stageTotals(text: string): Record<(typeof STAGES)[number], { seconds: number; count: number }> {
  const read = (series: string, stage: string) => {
    const m = new RegExp(`^cs_ingest_stage_seconds_${series}\\{stage="${stage}"\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return Object.fromEntries(STAGES.map((s) => [s, { seconds: read('sum', s), count: read('count', s) }])) as ReturnType<typeof stageTotals>;
}

async function corpusToReady(ctx: BenchContext, totalBytes: number) {
  const metricsPort = await freePort();
  const metricsToken = randomBytes(24).toString('hex');
  const env = scenarioEnv(ctx, 'ingest', { WORKER_METRICS_PORT: String(metricsPort), METRICS_TOKEN: metricsToken });
  const apiProc = await startApiProcess(env);
  const worker = await startWorkerProcess(env);
  const { tenantId, key } = await benchTenant(ctx.prisma, 'ingest');
  try {
    const course = await apiOk<{ id: string }>(apiProc.url, key, 'POST', '/nodes', { title: 'Ingestion bench' });
    const fileBytes = 400_000;
    const files: { name: string; type: string; body: Uint8Array }[] = [];
    let bytes = 0;
    for (let i = 0; bytes < totalBytes; i++) {
      const kind = i % 3;
      const body =
        kind === 0
          ? new TextEncoder().encode(markdownDoc(1000 + i, fileBytes))
          : kind === 1
            ? new TextEncoder().encode(htmlDoc(1000 + i, fileBytes))
            : await pdfDoc(1000 + i, fileBytes);
      files.push({ name: `lesson-${i}.${['md', 'html', 'pdf'][kind]}`, type: kind === 2 ? 'presentation' : 'text', body });
      bytes += body.length;
    }
    const lessons: string[] = [];
    for (let i = 0; i < Math.ceil(files.length / 5); i++) {
      lessons.push((await apiOk<{ id: string }>(apiProc.url, key, 'POST', `/nodes/${course.id}/children`, { title: `Lesson ${i}` })).id);
    }
    const t0 = performance.now();
    let next = 0;
    const uploader = async () => {
      while (next < files.length) {
        const i = next++;
        const f = files[i] as (typeof files)[number];
        const form = new FormData();
        form.append('source_type', f.type);
        form.append('file', new Blob([f.body]), f.name);
        const res = await fetch(`${apiProc.url}/api/v1/nodes/${lessons[Math.floor(i / 5)]}/materials`, { method: 'POST', headers: { 'X-API-Key': key }, body: form });
        if (res.status !== 201) throw new Error(`upload of ${f.name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: 4 }, uploader));
    const uploaded = performance.now();
    let states: { state: string; n: bigint; chunks: bigint }[] = [];
    const deadline = Date.now() + 900_000;
    for (;;) {
      states = await ctx.prisma.$queryRaw`
        SELECT state::text AS state, count(*) AS n, coalesce(sum(chunk_count), 0)::bigint AS chunks
        FROM material_entries WHERE tenant_id = ${tenantId}::uuid GROUP BY state`;
      const finished = states.filter((s) => s.state === 'ready' || s.state === 'error').reduce((a, s) => a + Number(s.n), 0);
      if (finished === files.length) break;
      if (Date.now() > deadline) throw new Error(`materials not ready after 15 min: ${JSON.stringify(states.map((s) => [s.state, Number(s.n)]))}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const end = performance.now();
    const ready = states.find((s) => s.state === 'ready');
    const errors = states.find((s) => s.state === 'error');
    const [embedded] = await ctx.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM material_chunks WHERE tenant_id = ${tenantId}::uuid AND embedding IS NOT NULL`;
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } });
    if (scrape.status !== 200) throw new Error(`worker metrics answered ${scrape.status}`);
    const stages = stageTotals(await scrape.text());
    return {
      files: files.length,
      bytes,
      byKind: { md: files.filter((f) => f.name.endsWith('.md')).length, html: files.filter((f) => f.name.endsWith('.html')).length, pdf: files.filter((f) => f.name.endsWith('.pdf')).length },
      ready: Number(ready?.n ?? 0),
      errors: Number(errors?.n ?? 0),
      chunks: Number(ready?.chunks ?? 0),
      embedded: Number(embedded?.n ?? 0),
      uploadSeconds: (uploaded - t0) / 1000,
      seconds: (end - t0) / 1000,
      stages,
    };
  } finally {
    await worker.stop();
    await apiProc.stop();
    await dropTenants(ctx.prisma, [tenantId]);
  }
}

interface ChunkRow {
  id: string;
  ordinal: number;
  text: string;
  sha: string;
  embedding: number[];
}

async function insertPaths(ctx: BenchContext, rows: number) {
  const { tenantId } = await benchTenant(ctx.prisma, 'vector-insert');
  const nodeId = newId();
  await ctx.prisma.materialNode.create({ data: { id: nodeId, tenantId, title: 'Vector insert bench' } });
  const material = async () => (await ctx.prisma.material.create({ data: { id: newId(), tenantId, nodeId, sourceType: 'text', filename: 'x.md', state: 'pending' } })).id;
  const embedder = new LocalEmbeddingProvider({ dimensions: 384 });
  const make = (n: number, seed: number): ChunkRow[] => {
    const r = rng(seed);
    const texts = Array.from({ length: n }, (_, i) => chunkText(r, topicWords(seed + Math.floor(i / 50)), 80));
    const { vectors } = embedder.embedSync(texts);
    return texts.map((text, i) => ({ id: newId(), ordinal: i, text, sha: createHash('sha256').update(text).digest('hex'), embedding: vectors[i] as number[] }));
  };
  const half = Math.floor(rows / 2);
  const sets = [make(half, 11), make(half, 12), make(half, 13), make(half, 14), make(half * 2, 15)];

  // ours: the worker's path — ingest inserts chunk rows (createMany, 500 per statement, no vector), the embed job
  // then writes the vectors (writeChunkEmbeddings, one UPDATE … FROM unnest per 500).
  const ours = async (set: ChunkRow[]) => {
    const materialId = await material();
    const t = performance.now();
    for (let i = 0; i < set.length; i += 500) {
      await ctx.prisma.chunk.createMany({
        data: set.slice(i, i + 500).map((c) => ({ id: c.id, tenantId, materialId, nodeId, ordinal: c.ordinal, kind: 'paragraph', text: c.text, tokenCount: 100, metadata: {}, contentSha256: c.sha })),
      });
    }
    const inserted = performance.now();
    await writeChunkEmbeddings(ctx.prisma, set.map((c) => ({ id: c.id, embedding: c.embedding })));
    return { seconds: (performance.now() - t) / 1000, insertSeconds: (inserted - t) / 1000 };
  };
  const client = new pg.Client({ connectionString: ctx.env.databaseUrl });
  await client.connect();
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  const copy = async (set: ChunkRow[]) => {
    const materialId = await material();
    const t = performance.now();
    const lines = set.map((c) => `${c.id}\t${tenantId}\t${materialId}\t${nodeId}\t${c.ordinal}\tparagraph\t${esc(c.text)}\t100\t{}\t${c.sha}\t${pgvector.toSql(c.embedding)}\n`);
    const stream = client.query(copyFrom(
      'COPY material_chunks (id, tenant_id, material_id, materialnode_id, ordinal, kind, text, token_count, metadata, content_sha256, embedding) FROM STDIN',
    ));
    await pipeline(Readable.from(lines), stream);
    return { seconds: (performance.now() - t) / 1000 };
  };
  try {
    // ABBA order, so neither side always meets the bigger index.
    const c1 = await copy(sets[0] as ChunkRow[]);
    const o1 = await ours(sets[1] as ChunkRow[]);
    const o2 = await ours(sets[2] as ChunkRow[]);
    const c2 = await copy(sets[3] as ChunkRow[]);
    const [check] = await ctx.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM material_chunks WHERE tenant_id = ${tenantId}::uuid AND embedding IS NOT NULL`;
    if (Number(check?.n ?? 0) !== half * 4) throw new Error(`expected ${half * 4} embedded rows, found ${check?.n}`);

    // COPY with the vector and text indexes dropped, then built again over the table (only these rows in it).
    await ctx.prisma.$executeRaw`DELETE FROM material_chunks WHERE tenant_id = ${tenantId}::uuid`;
    await ctx.prisma.$executeRawUnsafe('VACUUM material_chunks');
    const indexes = await ctx.prisma.$queryRaw<{ name: string; def: string }[]>`
      SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE tablename = 'material_chunks' AND indexdef ~* 'USING (hnsw|gin)'`;
    for (const i of indexes) await ctx.prisma.$executeRawUnsafe(`DROP INDEX "${i.name}"`);
    let bulk: { copySeconds: number; indexSeconds: number };
    try {
      const c = await copy(sets[4] as ChunkRow[]);
      const t = performance.now();
      // A partitioned table's index is listed as `CREATE INDEX … ON ONLY …`, which would build no partition's.
      for (const i of indexes) await ctx.prisma.$executeRawUnsafe(i.def.replace(' ON ONLY ', ' ON '));
      bulk = { copySeconds: c.seconds, indexSeconds: (performance.now() - t) / 1000 };
    } catch (err) {
      for (const i of indexes) {
        await ctx.prisma.$executeRawUnsafe(i.def.replace(' ON ONLY ', ' ON ').replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '));
      }
      throw err;
    }
    return {
      bulk: {
        rows: half * 2,
        indexes: indexes.map((i) => i.name),
        ...bulk,
        rowsPerS: (half * 2) / (bulk.copySeconds + bulk.indexSeconds),
      },
      rows: half * 2,
      ours: { rowsPerS: (half * 2) / (o1.seconds + o2.seconds), insertSeconds: o1.insertSeconds + o2.insertSeconds, seconds: o1.seconds + o2.seconds },
      copy: { rowsPerS: (half * 2) / (c1.seconds + c2.seconds), seconds: c1.seconds + c2.seconds },
    };
  } finally {
    await client.end();
    await dropTenants(ctx.prisma, [tenantId]);
  }
}

export const ingestion: Scenario = {
  name: 'ingestion',
  summary: 'Markdown/HTML/PDF corpus to ready (real API + worker, local embedder); vector insert path vs COPY',
  async run(ctx) {
    const corpus = await corpusToReady(ctx, ctx.quick ? 1 * MB : 20 * MB);
    ctx.log(`  corpus: ${corpus.files} files, ${(corpus.bytes / MB).toFixed(1)} MB, ${corpus.chunks} chunks ready in ${corpus.seconds.toFixed(1)} s (${corpus.errors} errors)`);
    if (corpus.errors) throw new Error(`${corpus.errors} materials ended in error`);
    const ins = await insertPaths(ctx, ctx.quick ? 1000 : 8000);
    const workerSeconds = STAGES.reduce((a, st) => a + corpus.stages[st].seconds, 0);
    for (const st of STAGES) {
      const { seconds, count } = corpus.stages[st];
      ctx.log(`  stage ${st.padEnd(7)} ${seconds.toFixed(1).padStart(7)} s over ${count} ${st === 'embed' || st === 'write' ? 'batches' : 'materials'} (${((seconds / workerSeconds) * 100).toFixed(0)} % of stage time)`);
    }
    ctx.log(`  vector insert: ours ${ins.ours.rowsPerS.toFixed(0)} rows/s, COPY ${ins.copy.rowsPerS.toFixed(0)} rows/s (indexes in place); ` +
      `COPY without indexes ${ins.bulk.copySeconds.toFixed(1)} s + index build ${ins.bulk.indexSeconds.toFixed(1)} s = ${ins.bulk.rowsPerS.toFixed(0)} rows/s`);
    return {
      details: {
        measured:
          'corpus: bench process uploads every file (4 at a time) to the real API process; the real worker process (default concurrency: ingest 2, embed 2) extracts (child processes), chunks (~500 tokens), ' +
          'embeds (local provider, DB embedding cache) and writes vectors; timed from the first upload to the last material ready. ' +
          'vector insert: ours = chunk.createMany (500/statement, as ingest) + writeChunkEmbeddings (UPDATE … FROM unnest, 500/statement, as embed); baseline = COPY FROM STDIN (pg-copy-streams) of the same rows with vectors; ' +
          '384-dim local embeddings precomputed; HNSW + GIN indexes in place; ABBA order. bulk: the same number of rows by COPY with the HNSW and GIN indexes dropped, then those indexes built again (only these rows in the table). ' +
          'stages: sums of the worker\'s cs_ingest_stage_seconds (jobs run concurrently, so the sum exceeds the wall time; the shares show where the work goes).',
        corpus,
        vectorInsert: ins,
      },
      rows: [
        row({ scenario: 'ingestion', metric: `corpus ${(corpus.bytes / MB).toFixed(0)} MB → ready`, ours: corpus.chunks / corpus.seconds, baseline: null, unit: 'chunks/s', target: '' }),
        row({ scenario: 'ingestion', metric: 'corpus throughput', ours: corpus.bytes / MB / corpus.seconds, baseline: null, unit: 'MB/s', target: '' }),
        ...STAGES.map((st) =>
          row({ scenario: 'ingestion', metric: `stage ${st}: share of worker stage time`, ours: (corpus.stages[st].seconds / workerSeconds) * 100, baseline: null, unit: '%', target: '' }),
        ),
        row({ scenario: 'ingestion', metric: `vector insert ${ins.rows} rows`, ours: ins.ours.rowsPerS, baseline: ins.copy.rowsPerS, unit: 'rows/s', target: 'ratio ≥ 0.5', check: (x) => (x.ratio ?? 0) >= 0.5 }),
        row({ scenario: 'ingestion', metric: `COPY ${ins.bulk.rows} rows without indexes + index build`, ours: ins.bulk.rowsPerS, baseline: null, unit: 'rows/s', target: '' }),
      ],
    };
  },
};
