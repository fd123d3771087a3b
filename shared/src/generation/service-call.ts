// `service_call` of a structure snapshot (API.md): which provider/model/prompt produced it and what it cost.
import { z } from 'zod';

export const ServiceCallSchema = z.object({
  provider: z.string(),
  model_id: z.string(),
  prompt_ref: z.string().nullable(),
  unit_in: z.number().int().nonnegative(),
  unit_out: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative(),
});
export type ServiceCall = z.infer<typeof ServiceCallSchema>;

/** Snapshot modes (API.md: POST /nodes/{id}/generate {mode}). */
export const GenerationModeSchema = z.enum(['free', 'guided']);
export type GenerationMode = z.infer<typeof GenerationModeSchema>;
