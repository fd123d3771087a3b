// The LLM generation path: a versioned prompt file as the system message, a token-budgeted context as the user
// message, CourseStructure as the structured output. What comes back is checked against the input: references
// to chunks or nodes that do not exist are dropped (models invent ids), and ids/metadata are taken from the
// chunk itself, so a snapshot only ever points at real material.
import {
  COURSE_STRUCTURE_SCHEMA_NAME,
  CourseStructure,
  type SourceRef,
} from '../../../shared/src/generation/course-structure.js';
import type { GenerationNode, StructureContext } from '../../../shared/src/generation/generation-input.js';
import { walkNodes } from '../../../shared/src/generation/generation-input.js';
import { loadPrompt } from '../../../shared/src/generation/prompt-registry.js';
import type { ServiceCall } from '../../../shared/src/generation/service-call.js';
import { ProviderError } from '../../../shared/src/providers/http/provider-error.js';
import type { LlmContext, LlmProvider, LlmResult } from '../../../shared/src/providers/llm/llm-provider.js';
import { describeIssues } from '../../../shared/src/validation/describe-issues.js';
import type { ChunkRef } from './course-corpus.js';
import { refOf } from './lesson-builder.js';
import { collectRefs } from './lesson-plans.js';
import { buildStructureUserMessage, renderChunks, selectChunks, type ContextBudget, type StructurePromptInput } from './llm-context.js';
import type { StructureResult } from './local-structure-builder.js';
import { renderSummary } from './structure-summary.js';

export interface LlmStepOptions extends ContextBudget {
  ctx: LlmContext;
}

export interface LlmStructureResult extends StructureResult {
  /** References the model made to chunks, materials or nodes that do not exist (removed). */
  droppedRefs: number;
  /** Chunks of the subtree left out of the prompt by the token budget. */
  omittedChunks: number;
}

export function serviceCallOf(result: LlmResult<unknown>, promptRef: string): ServiceCall {
  return {
    provider: result.provider,
    model_id: result.model,
    prompt_ref: promptRef,
    unit_in: Math.round(result.unitsIn),
    unit_out: Math.round(result.unitsOut),
    cost_usd: result.costUsd,
  };
}

/** Keeps only references to known chunks (ids and metadata taken from the chunk), known slides and known nodes. */
export function sanitizeStructure(structure: CourseStructure, chunks: ReadonlyMap<string, ChunkRef>, nodeIds: ReadonlySet<string>): { structure: CourseStructure; dropped: number } {
  const s = structuredClone(structure);
  let dropped = 0;
  const slides = new Set<string>();
  for (const r of chunks.values()) {
    if (r.chunk.metadata?.slide !== undefined) slides.add(`${r.material.id}#${r.chunk.metadata.slide}`);
  }
  const node = (id: string | undefined) => {
    if (id === undefined || nodeIds.has(id)) return id;
    dropped++;
    return undefined;
  };
  for (const m of s.course.modules) {
    const mid = node(m.source_node_id);
    if (mid === undefined) delete m.source_node_id;
    for (const l of m.lessons) {
      const lid = node(l.source_node_id);
      if (lid === undefined) delete l.source_node_id;
      for (const c of l.concepts) {
        const kept: SourceRef[] = [];
        for (const ref of c.source_refs) {
          const known = chunks.get(ref.chunk_id);
          if (!known) dropped++;
          else if (!kept.some((k) => k.chunk_id === ref.chunk_id)) kept.push(refOf(known));
        }
        c.source_refs = kept;
      }
      if (l.slide_refs) {
        const before = l.slide_refs.length;
        l.slide_refs = l.slide_refs.filter((r) => slides.has(`${r.material_id}#${r.slide}`));
        dropped += before - l.slide_refs.length;
        if (l.slide_refs.length === 0) delete l.slide_refs;
      }
    }
  }
  const parsed = CourseStructure.safeParse(s);
  if (!parsed.success) {
    throw new ProviderError(`structure invalid after removing unknown references:\n${describeIssues(parsed.error.issues)}`, { provider: 'llm', code: 'invalid_response', permanent: true });
  }
  return { structure: parsed.data, dropped };
}

function chunkMap(node: GenerationNode): Map<string, ChunkRef> {
  return new Map(collectRefs(node).map((r) => [r.chunk.id, r]));
}

/** Structure of a node by an LLM: prompt file + budgeted context → CourseStructure. */
export async function generateWithLlm(llm: LlmProvider, input: StructurePromptInput, promptRef: string, opts: LlmStepOptions): Promise<LlmStructureResult> {
  const prompt = loadPrompt(promptRef);
  const { user, selected } = buildStructureUserMessage(input, opts);
  const result = await llm.complete({
    action: 'structuring',
    schema: CourseStructure,
    schemaName: COURSE_STRUCTURE_SCHEMA_NAME,
    system: prompt.text,
    user,
    ctx: opts.ctx,
    promptRef: prompt.ref,
  });
  const nodeIds = new Set([...walkNodes(input.node)].map((n) => n.id));
  const { structure, dropped } = sanitizeStructure(result.value, chunkMap(input.node), nodeIds);
  return { structure, serviceCall: serviceCallOf(result, prompt.ref), droppedRefs: dropped, omittedChunks: selected.omitted };
}

export interface RevisionInput {
  structure: CourseStructure;
  context: StructureContext;
  /** The node's tree with its materials: chunks for refine, and to check references. */
  node?: GenerationNode;
  ranking?: readonly string[];
}

/** Reconcile or refine by an LLM: current structure + neighbours' summaries (+ chunks for refine). */
export async function reviseWithLlm(llm: LlmProvider, action: 'reconcile' | 'refine', input: RevisionInput, promptRef: string, opts: LlmStepOptions): Promise<LlmStructureResult> {
  const prompt = loadPrompt(promptRef);
  const { context } = input;
  const selected = action === 'refine' && input.node ? selectChunks(input.node, input.ranking, opts) : { refs: [], tokens: 0, omitted: 0 };
  const parts = [
    `# Node\nTitle: ${context.node.title}\nId: ${context.node.id}`,
    context.node.description ? `Description: ${context.node.description}` : '',
    `# Current structure\n\`\`\`json\n${JSON.stringify(input.structure)}\n\`\`\``,
    context.parent ? `# Parent\n${renderSummary(context.parent)}` : '',
    context.siblings?.length ? `# Siblings (tree order)\n${context.siblings.map((s) => renderSummary(s)).join('\n\n')}` : '',
    context.children?.length ? `# Children (tree order)\n${context.children.map((s) => renderSummary(s)).join('\n\n')}` : '',
    selected.refs.length ? `# Relevant material chunks\n${renderChunks(selected.refs)}` : '',
  ];
  const result = await llm.complete({
    action,
    schema: CourseStructure,
    schemaName: COURSE_STRUCTURE_SCHEMA_NAME,
    system: prompt.text,
    user: parts.filter(Boolean).join('\n\n'),
    ctx: opts.ctx,
    promptRef: prompt.ref,
  });
  // Known references: the node's chunks when given, else those the current structure already cites.
  const chunks = input.node ? chunkMap(input.node) : citedChunks(input.structure);
  const nodeIds = new Set<string>([context.node.id, ...(context.children ?? []).map((c) => c.node_id)]);
  if (input.node) for (const n of walkNodes(input.node)) nodeIds.add(n.id);
  for (const m of input.structure.course.modules) {
    if (m.source_node_id) nodeIds.add(m.source_node_id);
    for (const l of m.lessons) if (l.source_node_id) nodeIds.add(l.source_node_id);
  }
  const { structure, dropped } = sanitizeStructure(result.value, chunks, nodeIds);
  return { structure, serviceCall: serviceCallOf(result, prompt.ref), droppedRefs: dropped, omittedChunks: selected.omitted };
}

/** Pseudo chunk refs for the chunks a structure already cites (their metadata as cited). */
function citedChunks(structure: CourseStructure): Map<string, ChunkRef> {
  const out = new Map<string, ChunkRef>();
  let order = 0;
  for (const m of structure.course.modules) {
    for (const l of m.lessons) {
      for (const c of l.concepts) {
        for (const r of c.source_refs) {
          if (out.has(r.chunk_id)) continue;
          const { material_id, chunk_id, ...metadata } = r;
          out.set(chunk_id, { chunk: { id: chunk_id, kind: 'paragraph', text: '', metadata }, material: { id: material_id, filename: null, source_type: 'text', chunks: [] }, nodeId: '', order: order++ });
        }
      }
      for (const sr of l.slide_refs ?? []) {
        const id = `slide:${sr.material_id}#${sr.slide}`;
        if (!out.has(id)) out.set(id, { chunk: { id, kind: 'slide_text', text: '', metadata: { slide: sr.slide } }, material: { id: sr.material_id, filename: null, source_type: 'presentation', chunks: [] }, nodeId: '', order: order++ });
      }
    }
  }
  return out;
}
