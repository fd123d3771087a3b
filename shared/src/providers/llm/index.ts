export { LLM_ACTIONS, type LlmAction, type LlmContext, type LlmProvider, type LlmRequest, type LlmResult, type LocalCompletion } from './llm-provider.js';
export { OpenAILlmProvider, repairMessage, type ModelChains, type OpenAILlmOptions } from './openai-llm.provider.js';
export { LocalLlmProvider, LOCAL_LLM_MODEL, type LocalLlmOptions } from './local-llm.provider.js';
export { createLlmProvider, parseModelChain, type LlmProviderOptions } from './llm.factory.js';
export { toStrictJsonSchema, plainJsonSchema, nullsToOptional } from './strict-json-schema.js';
export { parseChatResponse, type ChatAnswer } from './chat-response.js';
