// The user message of an LLM generation step: the node and its tree (with ids the model must copy), summaries of
// neighbours, and material chunks within a token budget — chosen most relevant first (the caller ranks them,
// e.g. by vector search), shown in document order with headers carrying the ids, pages, slides and timecodes.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { GenerationNode, NodeSummary } from '../../../shared/src/generation/generation-input.js';
import type { ChunkRef } from './course-corpus.js';
import { formatSeconds } from './exercise-templates.js';
import { collectRefs } from './lesson-plans.js';
import { renderSummary } from './structure-summary.js';

export interface ContextBudget {
  /** Tokens of chunk text (headers included) in one prompt. Default 12,000. */
  maxContextTokens?: number;
  /** A single chunk longer than this is left out rather than crowding out the others. Default 2,000. */
  maxChunkTokens?: number;
}

export interface SelectedChunks {
  refs: ChunkRef[];
  tokens: number;
  omitted: number;
}

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };
const tokens = (text: string) => countTokens(text, NO_SPECIAL);

export function chunkHeader(r: ChunkRef): string {
  const m = r.chunk.metadata ?? {};
  const parts = [`chunk ${r.chunk.id}`, `material ${r.material.id}${r.material.filename ? ` "${r.material.filename}"` : ''} (${r.material.source_type})`, r.chunk.kind];
  if (m.page !== undefined) parts.push(`page ${m.page}`);
  if (m.slide !== undefined) parts.push(`slide ${m.slide}`);
  if (m.start_seconds !== undefined) parts.push(`${formatSeconds(m.start_seconds)}–${formatSeconds(m.end_seconds ?? m.start_seconds)} (start_seconds ${m.start_seconds}, end_seconds ${m.end_seconds ?? m.start_seconds})`);
  if (m.heading_path?.length) parts.push(`section: ${m.heading_path.join(' > ')}`);
  if (m.code) parts.push(m.language ? `code (${m.language})` : 'code');
  return `[${parts.join(' | ')}]`;
}

/**
 * Chunks of the node's subtree within the budget: those in `ranking` first (most relevant first), then the rest
 * in document order; the chosen ones are returned in document order.
 */
export function selectChunks(node: GenerationNode, ranking: readonly string[] | undefined, budget: ContextBudget = {}): SelectedChunks {
  const all = collectRefs(node);
  const max = budget.maxContextTokens ?? 12_000;
  const maxChunk = budget.maxChunkTokens ?? 2_000;
  const byId = new Map(all.map((r) => [r.chunk.id, r]));
  const rankedIds = [...new Set(ranking ?? [])].filter((id) => byId.has(id));
  const ranked = new Set(rankedIds);
  const order = [...rankedIds.map((id) => byId.get(id)!), ...all.filter((r) => !ranked.has(r.chunk.id))];
  const chosen: ChunkRef[] = [];
  let used = 0;
  for (const r of order) {
    const cost = tokens(chunkHeader(r)) + tokens(r.chunk.text) + 2;
    if (cost > maxChunk || used + cost > max) continue;
    chosen.push(r);
    used += cost;
  }
  chosen.sort((a, b) => a.order - b.order);
  return { refs: chosen, tokens: used, omitted: all.length - chosen.length };
}

export function renderChunks(refs: readonly ChunkRef[]): string {
  return refs.map((r) => `${chunkHeader(r)}\n${r.chunk.text}`).join('\n\n');
}

/** The course tree below a node, with ids (for `source_node_id`) and the materials of each node. */
export function renderTree(node: GenerationNode, depth = 0): string {
  const pad = '  '.repeat(depth);
  const lines = [`${pad}- ${node.title} (node ${node.id})${node.description ? ` — ${node.description}` : ''}`];
  for (const m of node.materials) lines.push(`${pad}  · material ${m.id}${m.filename ? ` "${m.filename}"` : ''} (${m.source_type}, ${m.chunks.length} chunks)`);
  for (const c of node.children) lines.push(renderTree(c, depth + 1));
  return lines.join('\n');
}

export interface StructurePromptInput {
  node: GenerationNode;
  childSummaries?: readonly NodeSummary[];
  mode?: 'guided' | 'free';
  /** Chunk ids, most relevant first. */
  ranking?: readonly string[];
}

export function buildStructureUserMessage(input: StructurePromptInput, budget: ContextBudget = {}): { user: string; selected: SelectedChunks } {
  const { node } = input;
  const selected = selectChunks(node, input.ranking, budget);
  const mode =
    input.mode === 'free'
      ? 'Mode: free — organise modules and lessons by the content of the materials; the tree is only a hint.'
      : 'Mode: guided — follow the course tree: child nodes become modules, their children lessons.';
  const parts = [
    `# Node\nTitle: ${node.title}\nId: ${node.id}`,
    node.description ? `Description: ${node.description}` : '',
    node.learning_goal ? `Learning goal: ${node.learning_goal}` : '',
    mode,
    `# Course tree\n${renderTree(node)}`,
    input.childSummaries?.length ? `# Already generated children\n${input.childSummaries.map((s) => renderSummary(s)).join('\n\n')}` : '',
    `# Materials (${selected.refs.length} chunks${selected.omitted ? `; ${selected.omitted} less relevant chunks left out` : ''})\n${renderChunks(selected.refs)}`,
  ];
  return { user: parts.filter(Boolean).join('\n\n'), selected };
}
