// corpus: the real documents of test/fixtures/real (Sphinx HTML, DocBook XHTML, npm READMEs) uploaded one
// chapter per lesson through the real API process, taken to `ready` by the real worker process, then the course
// generated with the local provider in free and guided mode. Prints what a reader compares between releases:
// structure counts, hygiene (chunks and structure strings with markup, URLs or entities) and grounding (concept
// names found in the text, definitions that are sentences of it). No baseline; quality targets, not timings.
// DocBook chapters are uploaded without their XML prolog while upload refuses it (issue 11 item 6).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { structureStats, type CourseStructure } from '../../shared/src/generation/course-structure.js';
import { corpusFile, grounding, hygieneProblems, REAL_CORPUS, structureStrings } from '../../test/support/real-corpus.js';
import { apiOk, benchTenant, dropTenants, scenarioEnv, type BenchContext, type Scenario } from '../lib/context.js';
import { startApiProcess, startWorkerProcess } from '../lib/procs.js';
import { row, type Row } from '../lib/report.js';

const pct = (n: number, of: number) => (of === 0 ? 0 : (100 * n) / of);

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const corpus: Scenario = {
  name: 'corpus',
  summary: 'real Sphinx/DocBook/README chapters → ready → course structure (local, free and guided): counts, hygiene, grounding',
  async run(ctx: BenchContext) {
    const env = scenarioEnv(ctx, 'corpus');
    const apiProc = await startApiProcess(env);
    const worker = await startWorkerProcess(env);
    const { tenantId, key } = await benchTenant(ctx.prisma, 'corpus');
    const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => apiOk<T>(apiProc.url, key, method, path, body);
    try {
      const course = await call<{ id: string }>('POST', '/nodes', { title: 'Real documentation' });
      const materialIds: string[] = [];
      const t0 = performance.now();
      for (const [toolchain, docs] of Object.entries(REAL_CORPUS)) {
        const module = await call<{ id: string }>('POST', `/nodes/${course.id}/children`, { title: toolchain });
        for (const [i, doc] of docs.entries()) {
          const lesson = await call<{ id: string }>('POST', `/nodes/${module.id}/children`, { title: `${toolchain} chapter ${i + 1}` });
          let body = await readFile(corpusFile(doc));
          if (toolchain === 'docbook') body = Buffer.from(body.toString('utf8').replace(/^<\?xml[^>]*\?>\s*/, ''));
          const form = new FormData();
          form.append('source_type', 'text');
          form.append('file', new Blob([body]), basename(doc.path));
          const res = await fetch(`${apiProc.url}/api/v1/nodes/${lesson.id}/materials`, { method: 'POST', headers: { 'X-API-Key': key }, body: form });
          if (res.status !== 201) throw new Error(`upload of ${doc.path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
          materialIds.push(((await res.json()) as { id: string }).id);
        }
      }
      const states = await waitFor('materials', 600_000, async () => {
        const rows = await ctx.prisma.material.findMany({ where: { id: { in: materialIds } }, select: { state: true } });
        return rows.every((m) => m.state === 'ready' || m.state === 'error') ? rows : undefined;
      });
      const ingestSeconds = (performance.now() - t0) / 1000;
      const chunks = await ctx.prisma.chunk.findMany({ where: { materialId: { in: materialIds } }, select: { text: true, metadata: true } });
      const code = chunks.filter((c) => (c.metadata as { code?: boolean } | null)?.code === true);
      const prose = chunks.filter((c) => !code.includes(c));
      const dirtyChunks = prose.filter((c) => hygieneProblems(c.text).length > 0).length;
      const indented = code.filter((c) => /\n[ \t]+\S/.test(c.text)).length;

      const rows: Row[] = [
        row({ scenario: 'corpus', metric: `ready materials (of ${materialIds.length})`, ours: states.filter((m) => m.state === 'ready').length, baseline: null, unit: 'materials', target: `= ${materialIds.length}`, check: (x) => x.ours === materialIds.length }),
        row({ scenario: 'corpus', metric: 'chunks (prose / code)', ours: chunks.length, baseline: null, unit: 'chunks', target: '', note: `${prose.length} prose, ${code.length} code (${indented} with indented lines)` }),
        row({ scenario: 'corpus', metric: 'prose chunks with markup, URL or entity', ours: dirtyChunks, baseline: null, unit: 'chunks', target: '= 0', check: (x) => x.ours === 0 }),
        row({ scenario: 'corpus', metric: 'upload → all ready', ours: ingestSeconds, baseline: null, unit: 's', target: '' }),
      ];
      const details: Record<string, unknown> = { documents: materialIds.length, chunks: chunks.length, codeChunks: code.length, ingestSeconds };
      for (const mode of ['free', 'guided'] as const) {
        const t = performance.now();
        const gen = await call<{ generation_jobs: string[]; reconciliation_jobs: string[] }>('POST', `/nodes/${course.id}/generate`, { mode });
        const jobIds = [...gen.generation_jobs, ...gen.reconciliation_jobs];
        const jobs = await waitFor(`${mode} generation`, 600_000, async () => {
          const all = await Promise.all(jobIds.map((id) => call<{ status: string }>('GET', `/jobs/${id}`)));
          return all.every((j) => ['complete', 'failed', 'cancelled'].includes(j.status)) ? all : undefined;
        });
        const seconds = (performance.now() - t) / 1000;
        const complete = jobs.filter((j) => j.status === 'complete').length;
        const { structure } = await call<{ structure: CourseStructure }>('GET', `/nodes/${course.id}/structure`);
        const stats = structureStats(structure);
        const strings = structureStrings(structure);
        const dirty = strings.filter((s) => hygieneProblems(s).length > 0);
        const g = grounding(structure, chunks.map((c) => c.text));
        rows.push(
          row({ scenario: 'corpus', metric: `${mode}: jobs complete (of ${jobIds.length})`, ours: complete, baseline: null, unit: 'jobs', target: `= ${jobIds.length}`, check: (x) => x.ours === jobIds.length }),
          row({ scenario: 'corpus', metric: `${mode}: modules / lessons`, ours: stats.lessons, baseline: null, unit: 'lessons', target: '', note: `${stats.modules} modules, ${stats.concepts} concepts, ${stats.exercises} exercises` }),
          row({ scenario: 'corpus', metric: `${mode}: structure strings with markup, URL or entity`, ours: dirty.length, baseline: null, unit: 'strings', target: '= 0', check: (x) => x.ours === 0, note: `of ${strings.length}` }),
          row({ scenario: 'corpus', metric: `${mode}: concept names found in the text`, ours: pct(g.namesFound, g.concepts), baseline: null, unit: '%', target: '≥ 95', check: (x) => (x.ours ?? 0) >= 95 }),
          row({ scenario: 'corpus', metric: `${mode}: definitions that are sentences of the text`, ours: pct(g.definitionsFound, g.concepts), baseline: null, unit: '%', target: '= 100', check: (x) => x.ours === 100 }),
          row({ scenario: 'corpus', metric: `${mode}: generate → all jobs done`, ours: seconds, baseline: null, unit: 's', target: '' }),
        );
        details[mode] = { ...stats, missingNames: g.missingNames, dirtyStrings: dirty.slice(0, 5), seconds };
      }
      return { rows, details };
    } finally {
      await worker.stop();
      await apiProc.stop();
      await dropTenants(ctx.prisma, [tenantId]);
    }
  },
};
