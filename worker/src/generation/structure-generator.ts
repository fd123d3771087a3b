// One entry point per generation step for the job handlers (generate / reconcile / refine), whatever provider
// is configured: the local provider runs the deterministic builder (one cost row, provider "local", cost 0), any
// other provider gets the versioned prompt + budgeted context. Either way the result is a validated structure and
// the snapshot's service_call.
import { CourseStructure, COURSE_STRUCTURE_SCHEMA_NAME } from '../../../shared/src/generation/course-structure.js';
import type { GenerationNode, StructureContext } from '../../../shared/src/generation/generation-input.js';
import { walkNodes } from '../../../shared/src/generation/generation-input.js';
import { loadPrompt } from '../../../shared/src/generation/prompt-registry.js';
import type { LlmAction, LlmContext, LlmProvider } from '../../../shared/src/providers/llm/llm-provider.js';
import type { ContextBudget, StructurePromptInput } from './llm-context.js';
import { generateWithLlm, reviseWithLlm, serviceCallOf } from './llm-generation.js';
import { buildLocalStructure, type LocalBuilderOptions, type StructureResult } from './local-structure-builder.js';
import { reconcileStructure, refineStructure } from './structure-revision.js';
import { wordCount } from './text-analysis.js';

export interface PromptRefs {
  structure: string;
  reconcile: string;
  refine: string;
}

export const DEFAULT_PROMPTS: PromptRefs = { structure: 'structure.v1', reconcile: 'reconcile.v1', refine: 'refine.v1' };

export interface GeneratorDeps {
  llm: LlmProvider;
  ctx: LlmContext;
  prompts?: Partial<PromptRefs>;
  builder?: LocalBuilderOptions;
  budget?: ContextBudget;
}

const isLocal = (llm: LlmProvider) => llm.name === 'local';
const prompts = (deps: Pick<GeneratorDeps, 'prompts'>): PromptRefs => ({ ...DEFAULT_PROMPTS, ...deps.prompts });

/** Runs a deterministic step through the local provider so it is validated and recorded like a model call. */
async function viaLocal(deps: GeneratorDeps, action: LlmAction, promptRef: string, run: () => { structure: CourseStructure; unitsIn: number }): Promise<StructureResult> {
  loadPrompt(promptRef); // the reference must name a real prompt file, as it does for models
  const result = await deps.llm.complete({
    action,
    schema: CourseStructure,
    schemaName: COURSE_STRUCTURE_SCHEMA_NAME,
    system: '',
    user: '',
    ctx: deps.ctx,
    promptRef,
    local: () => {
      const out = run();
      return { value: out.structure, unitsIn: out.unitsIn, unitsOut: wordCount(JSON.stringify(out.structure)) };
    },
  });
  return { structure: result.value, serviceCall: serviceCallOf(result, promptRef) };
}

/** Who would produce a step's snapshot now: provider, first model of the action's chain, prompt version. */
export interface Producer {
  provider: string;
  model_id: string;
  prompt_ref: string;
}

const STEP_ACTION = { generate: ['structuring', 'structure'], reconcile: ['reconcile', 'reconcile'], refine: ['refine', 'refine'] } as const;

/**
 * The part of a snapshot's reuse key that says what produced it (shared/src/db/structure.repository.ts
 * findReusable): a snapshot of another provider, model or prompt version is never reused. A snapshot produced by a
 * fallback model is not reused either (the first model of the chain is what the configuration asks for).
 */
export function producerOf(deps: Pick<GeneratorDeps, 'llm' | 'prompts'>, step: keyof typeof STEP_ACTION): Producer {
  const [action, prompt] = STEP_ACTION[step];
  return { provider: deps.llm.name, model_id: deps.llm.modelsFor(action)[0] ?? '', prompt_ref: prompts(deps)[prompt] };
}

export async function generateStructure(deps: GeneratorDeps, input: StructurePromptInput): Promise<StructureResult> {
  const ref = prompts(deps).structure;
  if (!isLocal(deps.llm)) return generateWithLlm(deps.llm, input, ref, { ctx: deps.ctx, ...deps.budget });
  return viaLocal(deps, 'structuring', ref, () => {
    const built = buildLocalStructure({ node: input.node, childSummaries: input.childSummaries, mode: input.mode }, { ...deps.builder, promptRef: ref });
    return { structure: built.structure, unitsIn: built.serviceCall.unit_in };
  });
}

function filenamesOf(node: GenerationNode | undefined): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (node) for (const n of walkNodes(node)) for (const m of n.materials) out.set(m.id, m.filename);
  return out;
}

const contextWords = (structure: CourseStructure, context: StructureContext) => wordCount(JSON.stringify(structure)) + wordCount(JSON.stringify(context));

export async function reconcileNodeStructure(deps: GeneratorDeps, structure: CourseStructure, context: StructureContext, node?: GenerationNode): Promise<StructureResult> {
  const ref = prompts(deps).reconcile;
  if (!isLocal(deps.llm)) return reviseWithLlm(deps.llm, 'reconcile', { structure, context, node }, ref, { ctx: deps.ctx, ...deps.budget });
  return viaLocal(deps, 'reconcile', ref, () => ({
    structure: reconcileStructure(structure, context, { filenames: filenamesOf(node) }),
    unitsIn: contextWords(structure, context),
  }));
}

export async function refineNodeStructure(
  deps: GeneratorDeps,
  structure: CourseStructure,
  context: StructureContext,
  node?: GenerationNode,
  ranking?: readonly string[],
): Promise<StructureResult> {
  const ref = prompts(deps).refine;
  if (!isLocal(deps.llm)) return reviseWithLlm(deps.llm, 'refine', { structure, context, node, ranking }, ref, { ctx: deps.ctx, ...deps.budget });
  return viaLocal(deps, 'refine', ref, () => ({
    structure: refineStructure(structure, context, { filenames: filenamesOf(node) }),
    unitsIn: contextWords(structure, context),
  }));
}
