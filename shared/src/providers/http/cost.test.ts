import { describe, expect, it } from 'vitest';
import { audioCost, priceTableSchema, tokenCost } from './cost.js';

describe('price table', () => {
  it('parses the config shape and prices calls by model', () => {
    const table = priceTableSchema.parse(
      JSON.parse('{"text-embedding-3-small":{"input_usd_per_1m":0.02},"gpt-4o-mini":{"input_usd_per_1m":0.15,"output_usd_per_1m":0.6},"whisper-1":{"usd_per_minute":0.006}}'),
    );
    expect(tokenCost(table, 'text-embedding-3-small', 1_000_000)).toBeCloseTo(0.02, 10);
    expect(tokenCost(table, 'gpt-4o-mini', 2000, 1000)).toBeCloseTo(0.0009, 10);
    expect(audioCost(table, 'whisper-1', 90)).toBeCloseTo(0.009, 10);
    expect(tokenCost(table, 'unknown-model', 1e6)).toBe(0);
    expect(audioCost(undefined, 'whisper-1', 60)).toBe(0);
  });

  it('rejects negative prices and unknown fields', () => {
    expect(priceTableSchema.safeParse({ m: { input_usd_per_1m: -1 } }).success).toBe(false);
    expect(priceTableSchema.safeParse({ m: { input_usd: 1 } }).success).toBe(false);
  });
});
