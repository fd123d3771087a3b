// Objects the migrations create by hand-written SQL that schema.prisma cannot express. Keep each entry next to
// its reason. Used by the drift test (differences must be listed here, entries must exist) and by
// `npm run migrate -- create`, which leaves out the statements Prisma's diff would emit to drop them.
import type { InventoryKind } from './catalog-inventory.js';
import { splitPrismaScript } from './catalog-inventory.js';

export interface HandWritten {
  kind: InventoryKind;
  /** As in the inventory: "table.object" for columns, indexes, constraints and triggers. */
  name: string;
  /** Why schema.prisma cannot declare it (required: an entry without a reason is not reviewable). */
  why: string;
  /** Statements Prisma's diff (migrated database → schema.prisma) emits because of it. */
  prismaDiff?: RegExp[];
}

export const HAND_WRITTEN: HandWritten[] = [
  {
    kind: 'table',
    name: 'material_chunks',
    why: 'PARTITION BY HASH (tenant_id), 16 partitions material_chunks_p0..p15 (one HNSW graph each): Prisma has no partitioning and would drop the partitions',
    prismaDiff: [/^DROP TABLE "material_chunks_p\d+"$/],
  },
  { kind: 'extension', name: 'vector', why: 'pgvector, created by the init migration; schema.prisma declares no extensions' },
  {
    kind: 'index',
    name: 'material_chunks.material_chunks_embedding_hnsw_idx',
    why: 'USING hnsw (embedding vector_cosine_ops): Prisma has no hnsw index type and would drop it',
    prismaDiff: [/^DROP INDEX "material_chunks_embedding_hnsw_idx"$/],
  },
  {
    kind: 'index',
    name: 'material_chunks.material_chunks_fts_idx',
    why: 'GIN on the tsvector column fts: Prisma cannot declare an index on an Unsupported("tsvector") column and would drop it',
    prismaDiff: [/^DROP INDEX "material_chunks_fts_idx"$/],
  },
  { kind: 'function', name: 'material_chunks_fts()', why: "trigger function writing fts and heading_fts with the material's text_search_config" },
  { kind: 'trigger', name: 'material_chunks.material_chunks_fts_trigger', why: 'Prisma has no triggers' },
  { kind: 'function', name: 'fulltext_df_lock(tenants uuid[])', why: "per-tenant advisory lock of the fulltext_lexeme_df triggers" },
  { kind: 'function', name: 'fulltext_df_insert()', why: 'trigger function counting inserted chunks\' lexemes per tenant' },
  { kind: 'function', name: 'fulltext_df_delete()', why: 'trigger function discounting deleted chunks\' lexemes per tenant' },
  { kind: 'function', name: 'fulltext_df_update()', why: "trigger function moving a chunk's lexemes when its fts changes" },
  { kind: 'trigger', name: 'material_chunks.fulltext_df_insert_trigger', why: 'Prisma has no triggers' },
  { kind: 'trigger', name: 'material_chunks.fulltext_df_delete_trigger', why: 'Prisma has no triggers' },
  { kind: 'trigger', name: 'material_chunks.fulltext_df_update_trigger', why: 'Prisma has no triggers' },
];

export const isHandWrittenDrop = (statement: string) =>
  HAND_WRITTEN.some((h) => h.prismaDiff?.some((re) => re.test(statement)));

/**
 * Removes from a Prisma-generated script the statements that would drop hand-written objects. Prisma renders
 * each statement as a block ("-- Comment\nSTATEMENT;") separated by blank lines.
 */
export function withoutHandWrittenDrops(script: string): { script: string; removed: string[] } {
  const removed: string[] = [];
  const blocks = script.split(/\n\s*\n/).filter((block) => {
    const statements = splitPrismaScript(block);
    if (statements.length === 1 && isHandWrittenDrop(statements[0] as string)) {
      removed.push(statements[0] as string);
      return false;
    }
    return true;
  });
  return { script: blocks.join('\n\n').trim() + '\n', removed };
}
