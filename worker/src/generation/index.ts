export { buildLocalStructure, lessonsFromSummary, LOCAL_MODEL_ID, STRUCTURE_PROMPT_REF, type LocalBuildInput, type LocalBuilderOptions, type StructureResult } from './local-structure-builder.js';
export { summarizeNode, renderSummary } from './structure-summary.js';
export { reconcileStructure, refineStructure, fillSummaries, type RevisionOptions } from './structure-revision.js';
export { generateWithLlm, reviseWithLlm, sanitizeStructure, serviceCallOf, type LlmStructureResult, type RevisionInput, type LlmStepOptions } from './llm-generation.js';
export { buildStructureUserMessage, selectChunks, type ContextBudget, type StructurePromptInput } from './llm-context.js';
export { generateStructure, producerOf, reconcileNodeStructure, refineNodeStructure, DEFAULT_PROMPTS, type GeneratorDeps, type Producer, type PromptRefs } from './structure-generator.js';
