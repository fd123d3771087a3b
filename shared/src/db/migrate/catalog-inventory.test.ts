import { describe, expect, it } from 'vitest';
import { compareInventories, splitPrismaScript, type InventoryItem } from './catalog-inventory.js';

describe('splitPrismaScript', () => {
  it("splits Prisma's rendered SQL into statements without comments", () => {
    const sql = [
      '/*\n  Warnings:\n  - You are about to drop the column `x`; data will be lost.\n*/',
      '-- DropIndex',
      'DROP INDEX "chunks_embedding_hnsw_idx";',
      '',
      '-- AlterTable',
      'ALTER TABLE "tenants" ADD COLUMN     "plan" TEXT,',
      'ADD COLUMN "tier" INTEGER NOT NULL DEFAULT 1;',
      '',
    ].join('\n');
    expect(splitPrismaScript(sql)).toEqual([
      'DROP INDEX "chunks_embedding_hnsw_idx"',
      'ALTER TABLE "tenants" ADD COLUMN "plan" TEXT, ADD COLUMN "tier" INTEGER NOT NULL DEFAULT 1',
    ]);
    expect(splitPrismaScript('')).toEqual([]);
    expect(splitPrismaScript('-- This is an empty migration.\n')).toEqual([]);
  });
});

describe('compareInventories', () => {
  const item = (kind: InventoryItem['kind'], name: string, definition = ''): InventoryItem => ({ kind, name, definition });

  it('reports objects on one side only and changed definitions', () => {
    const migrated = [item('table', 't'), item('index', 't.a', 'CREATE INDEX a ON t USING hnsw (e)'), item('column', 't.c', 'text')];
    const fromSchema = [item('table', 't'), item('column', 't.c', 'integer'), item('index', 't.b', 'CREATE INDEX b ON t (c)')];
    expect(compareInventories(migrated, fromSchema)).toEqual([
      { kind: 'index', name: 't.a', change: 'only in migrated database', migrated: 'CREATE INDEX a ON t USING hnsw (e)' },
      { kind: 'column', name: 't.c', change: 'definition differs', migrated: 'text', fromSchema: 'integer' },
      { kind: 'index', name: 't.b', change: 'only in schema.prisma', fromSchema: 'CREATE INDEX b ON t (c)' },
    ]);
    expect(compareInventories(fromSchema, fromSchema)).toEqual([]);
  });
});
