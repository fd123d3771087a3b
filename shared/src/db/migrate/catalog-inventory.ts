// What a database holds in schema `public`, read from pg_catalog — including what Prisma's schema engine
// cannot see or express (expression and partial indexes, generated columns, triggers, functions, views,
// extensions). Drift checks compare two inventories: a database built by the migrations and one built
// from schema.prisma by Prisma's own SQL. Objects that belong to an extension (pgvector's types and
// functions) and the _prisma_migrations bookkeeping table are left out, and so are the partitions of a partitioned
// table (their columns, indexes, constraints and triggers are the parent's, cloned): the parent's definition says
// how it is partitioned ("PARTITION BY HASH (tenant_id)"), and its indexes read as on a plain table.
import type { ClientBase } from 'pg';

export type InventoryKind =
  | 'extension'
  | 'table'
  | 'view'
  | 'materialized view'
  | 'sequence'
  | 'column'
  | 'generated column'
  | 'index'
  | 'constraint'
  | 'trigger'
  | 'function'
  | 'type';

export interface InventoryItem {
  kind: InventoryKind;
  /** Unique within its kind; "table.object" for columns, indexes, constraints and triggers. */
  name: string;
  /** Postgres' own rendering of the definition (pg_get_indexdef, format_type, …). */
  definition: string;
}

const NOT_EXTENSION_MEMBER = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const QUERY = `
WITH rel AS (
  SELECT c.oid, c.relname, c.relkind FROM pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> '_prisma_migrations' AND NOT c.relispartition
    AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
)
SELECT 'extension' AS kind, e.extname AS name, e.extversion AS definition FROM pg_extension e WHERE e.extname <> 'plpgsql'
UNION ALL
SELECT CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'table' END,
       r.relname,
       CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid) WHEN r.relkind = 'p' THEN 'PARTITION BY ' || pg_get_partkeydef(r.oid) ELSE '' END
FROM rel r WHERE r.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
UNION ALL
SELECT 'column', r.relname || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
         || CASE WHEN a.attgenerated = '' THEN COALESCE(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '') ELSE '' END
FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE r.relkind IN ('r', 'p', 'f', 'v', 'm')
UNION ALL
SELECT 'generated column', r.relname || '.' || a.attname, pg_get_expr(ad.adbin, ad.adrelid)
FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> ''
JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
UNION ALL
SELECT 'index', r.relname || '.' || i.relname, replace(pg_get_indexdef(i.oid), ' ON ONLY ', ' ON ')
FROM rel r JOIN pg_index x ON x.indrelid = r.oid JOIN pg_class i ON i.oid = x.indexrelid
UNION ALL
SELECT 'constraint', r.relname || '.' || con.conname, pg_get_constraintdef(con.oid)
FROM rel r JOIN pg_constraint con ON con.conrelid = r.oid
UNION ALL
SELECT 'trigger', r.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
UNION ALL
SELECT 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_function_result(p.oid)
FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}
UNION ALL
SELECT 'type', t.typname, t.typtype::text FROM pg_type t
WHERE t.typnamespace = 'public'::regnamespace AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
  AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
`;

export async function catalogInventory(client: ClientBase): Promise<InventoryItem[]> {
  const { rows } = await client.query<InventoryItem>(QUERY);
  return rows.sort((a, b) => key(a).localeCompare(key(b)));
}

export const key = (item: { kind: string; name: string }) => `${item.kind} ${item.name}`;

export interface InventoryDifference {
  kind: InventoryKind;
  name: string;
  change: 'only in migrated database' | 'only in schema.prisma' | 'definition differs';
  migrated?: string;
  fromSchema?: string;
}

/** Every object that is not the same in both inventories. */
export function compareInventories(migrated: InventoryItem[], fromSchema: InventoryItem[]): InventoryDifference[] {
  const a = new Map(migrated.map((i) => [key(i), i]));
  const b = new Map(fromSchema.map((i) => [key(i), i]));
  const out: InventoryDifference[] = [];
  for (const [k, item] of a) {
    const other = b.get(k);
    if (!other) out.push({ kind: item.kind, name: item.name, change: 'only in migrated database', migrated: item.definition });
    else if (other.definition !== item.definition) {
      out.push({ kind: item.kind, name: item.name, change: 'definition differs', migrated: item.definition, fromSchema: other.definition });
    }
  }
  for (const [k, item] of b) {
    if (!a.has(k)) out.push({ kind: item.kind, name: item.name, change: 'only in schema.prisma', fromSchema: item.definition });
  }
  return out;
}

/**
 * Statements of a script Prisma's schema engine rendered: comments removed, split on the ";" that ends a
 * line, whitespace collapsed. (Only for Prisma's own output, which has no function bodies.)
 */
export function splitPrismaScript(sql: string): string[] {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*--.*$/gm, '')
    .split(/;\s*$/m)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}
