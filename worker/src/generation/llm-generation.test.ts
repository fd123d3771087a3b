// The LLM generation path against a local OpenAI-compatible stub, and the local path through the local provider.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { afterEach, describe, expect, it } from 'vitest';
import { CourseStructure } from '../../../shared/src/generation/course-structure.js';
import { loadPrompt } from '../../../shared/src/generation/prompt-registry.js';
import { MemoryCostRecorder } from '../../../shared/src/providers/http/cost.js';
import { LocalLlmProvider } from '../../../shared/src/providers/llm/local-llm.provider.js';
import { OpenAILlmProvider } from '../../../shared/src/providers/llm/openai-llm.provider.js';
import { startLocalServer, type LocalServer } from '../../../shared/src/net/local-server.test-support.js';
import { chunkIndex, pythonCourse } from './course-fixture.test-support.js';
import { selectChunks } from './llm-context.js';
import { generateWithLlm, reviseWithLlm } from './llm-generation.js';
import { buildLocalStructure } from './local-structure-builder.js';
import { generateStructure, reconcileNodeStructure, refineNodeStructure } from './structure-generator.js';
import { summarizeNode } from './structure-summary.js';

const ctx = { tenantId: 'tenant-1', jobId: 'job-9' };
const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Sent {
  model: string;
  messages: { role: string; content: string }[];
}

async function chatStub(answer: unknown) {
  const sent: Sent[] = [];
  const server = await startLocalServer((_req, res, raw) => {
    const body = JSON.parse(raw.toString()) as Sent;
    sent.push(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(answer) }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
      }),
    );
  });
  servers.push(server);
  const recorder = new MemoryCostRecorder();
  const llm = new OpenAILlmProvider({ baseUrl: server.origin, models: { default: ['gpt-test'] }, prices: { 'gpt-test': { inputUsdPer1M: 2, outputUsdPer1M: 8 } }, recorder, retry: { maxAttempts: 1 } });
  return { llm, sent, recorder };
}

const course = pythonCourse();
const chunks = chunkIndex(course);
const listsChunk = [...chunks.entries()].find(([, c]) => c.materialId === 'mat-lists')![0];
const slideChunk = [...chunks.entries()].find(([, c]) => c.materialId === 'mat-slides' && c.metadata.slide === 2)![0];

/** What a model might answer: one real reference with wrong details, invented ids elsewhere. */
function modelAnswer() {
  return {
    course: {
      title: 'Python basics',
      summary: 'Lists, dictionaries and functions.',
      modules: [
        {
          title: 'Lists',
          summary: 'Lists.',
          source_node_id: 'node-lists',
          lessons: [
            {
              title: 'Lists',
              summary: 'Ordered collections.',
              source_node_id: 'node-invented',
              concepts: [
                {
                  name: 'list',
                  definition: 'A list is an ordered, mutable collection of items.',
                  source_refs: [
                    { material_id: 'mat-wrong', chunk_id: listsChunk, page: 7, slide: null, start_seconds: null, end_seconds: null },
                    { material_id: 'mat-lists', chunk_id: 'chunk-invented', page: null, slide: null, start_seconds: null, end_seconds: null },
                    { material_id: 'mat-slides', chunk_id: slideChunk, page: null, slide: null, start_seconds: null, end_seconds: null },
                  ],
                },
              ],
              exercises: [{ title: 'Explain lists', prompt: 'Explain what a list is.', difficulty: 'easy', concept_names: ['list'] }],
              timecodes: null,
              slide_refs: [
                { material_id: 'mat-slides', slide: 2 },
                { material_id: 'mat-slides', slide: 42 },
              ],
            },
          ],
        },
      ],
    },
  };
}

describe('generateWithLlm', () => {
  it('sends the versioned prompt and a context with ids, and keeps only real references', async () => {
    const { llm, sent, recorder } = await chatStub(modelAnswer());
    const out = await generateWithLlm(llm, { node: course }, 'structure.v1', { ctx });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.messages[0]).toEqual({ role: 'system', content: loadPrompt('structure.v1').text });
    const user = sent[0]!.messages[1]!.content;
    expect(user).toContain('Title: Python basics');
    expect(user).toContain('Lists (node node-lists)');
    expect(user).toContain(`[chunk ${listsChunk} | material mat-lists "lists.md" (text)`);
    expect(user).toMatch(/\| slide 2 \|/);
    expect(user).toMatch(/\| 0:00–\d:\d\d \(start_seconds 0, end_seconds \d+\)/);
    expect(user).toContain('A list is an ordered, mutable collection');

    const lesson = out.structure.course.modules[0]!.lessons[0]!;
    expect(out.structure.course.modules[0]!.source_node_id).toBe('node-lists');
    expect(lesson).not.toHaveProperty('source_node_id');
    expect(lesson.concepts[0]!.source_refs).toEqual([
      { material_id: 'mat-lists', chunk_id: listsChunk },
      { material_id: 'mat-slides', chunk_id: slideChunk, slide: 2 },
    ]);
    expect(lesson.slide_refs).toEqual([{ material_id: 'mat-slides', slide: 2 }]);
    expect(out.droppedRefs).toBe(3);
    expect(CourseStructure.safeParse(out.structure).success).toBe(true);
    expect(out.serviceCall).toEqual({ provider: 'openai', model_id: 'gpt-test', prompt_ref: 'structure.v1', unit_in: 1000, unit_out: 200, cost_usd: 0.0036 });
    expect(recorder.rows).toEqual([expect.objectContaining({ tenantId: 'tenant-1', jobId: 'job-9', action: 'structuring', promptRef: 'structure.v1', model: 'gpt-test', costUsd: 0.0036, success: true })]);
  });

  it('fills the token budget with the most relevant chunks first, shown in document order', async () => {
    const all = [...chunks.keys()];
    const ranking = [all[all.length - 1]!, all[5]!, all[2]!];
    const small = selectChunks(course, ranking, { maxContextTokens: 200 });
    expect(small.refs.map((r) => r.chunk.id)).toEqual(all.filter((id) => small.refs.some((r) => r.chunk.id === id))); // document order
    expect(small.refs.map((r) => r.chunk.id)).toEqual(expect.arrayContaining(ranking));
    expect(small.tokens).toBeLessThanOrEqual(200);
    expect(small.omitted).toBe(all.length - small.refs.length);
    expect(small.omitted).toBeGreaterThan(0);
    const text = small.refs.map((r) => r.chunk.text).join('');
    expect(countTokens(text)).toBeLessThanOrEqual(200);

    const { llm, sent } = await chatStub(modelAnswer());
    const out = await generateWithLlm(llm, { node: course, ranking }, 'structure.v1', { ctx, maxContextTokens: 200 });
    const user = sent[0]!.messages[1]!.content;
    for (const id of ranking) expect(user).toContain(`[chunk ${id} `);
    expect(user).toContain(`${small.omitted} less relevant chunks left out`);
    expect(out.omittedChunks).toBe(small.omitted);
  });
});

describe('reviseWithLlm', () => {
  it('sends the current structure and the neighbours, and checks references against the node', async () => {
    const { llm, sent, recorder } = await chatStub(modelAnswer());
    const current = buildLocalStructure({ node: course }).structure;
    const sibling = summarizeNode({ id: 'node-other', title: 'Other course part' }, current);
    const out = await reviseWithLlm(llm, 'refine', { structure: current, context: { node: course, siblings: [sibling] }, node: course }, 'refine.v1', { ctx });
    const user = sent[0]!.messages[1]!.content;
    expect(sent[0]!.messages[0]!.content).toBe(loadPrompt('refine.v1').text);
    expect(user).toContain(JSON.stringify(current));
    expect(user).toContain('Other course part (node node-other)');
    expect(user).toContain('# Relevant material chunks');
    expect(out.droppedRefs).toBe(3);
    expect(out.serviceCall.prompt_ref).toBe('refine.v1');
    expect(recorder.rows[0]).toMatchObject({ action: 'refine', promptRef: 'refine.v1' });
  });
});

describe('structure generator with the local provider', () => {
  it('runs the heuristic builder and every step records one local, zero-cost row', async () => {
    const recorder = new MemoryCostRecorder();
    const deps = { llm: new LocalLlmProvider({ recorder }), ctx };
    const gen = await generateStructure(deps, { node: course });
    expect(gen.structure).toEqual(buildLocalStructure({ node: course }).structure);
    expect(gen.serviceCall).toMatchObject({ provider: 'local', model_id: 'heuristic-v1', prompt_ref: 'structure.v1', cost_usd: 0 });
    expect(gen.serviceCall.unit_in).toBe(buildLocalStructure({ node: course }).serviceCall.unit_in);

    const context = { node: course, children: course.children.map((c) => summarizeNode(c, gen.structure)) };
    const rec = await reconcileNodeStructure(deps, gen.structure, context, course);
    const ref = await refineNodeStructure(deps, rec.structure, context, course);
    expect(rec.serviceCall.prompt_ref).toBe('reconcile.v1');
    expect(ref.serviceCall.prompt_ref).toBe('refine.v1');
    expect(CourseStructure.safeParse(ref.structure).success).toBe(true);
    expect(recorder.rows.map((r) => [r.action, r.provider, r.model, r.promptRef, r.costUsd, r.success, r.tenantId, r.jobId])).toEqual([
      ['structuring', 'local', 'heuristic-v1', 'structure.v1', 0, true, 'tenant-1', 'job-9'],
      ['reconcile', 'local', 'heuristic-v1', 'reconcile.v1', 0, true, 'tenant-1', 'job-9'],
      ['refine', 'local', 'heuristic-v1', 'refine.v1', 0, true, 'tenant-1', 'job-9'],
    ]);
  });

  it('goes through the model when one is configured', async () => {
    const { llm, sent } = await chatStub(modelAnswer());
    const out = await generateStructure({ llm, ctx }, { node: course });
    expect(sent).toHaveLength(1);
    expect(out.serviceCall.provider).toBe('openai');
  });
});
