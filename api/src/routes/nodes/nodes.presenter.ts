import type { MaterialNode } from '../../../../shared/src/db/generated/client.js';

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function presentNode(n: MaterialNode) {
  return {
    id: n.id,
    tenant_id: n.tenantId,
    parent_materialnode_id: n.parentId,
    title: n.title,
    description: n.description,
    learning_goal: n.learningGoal,
    expected_knowledge: n.expectedKnowledge,
    expected_skills: n.expectedSkills,
    order: n.order,
    node_fingerprint: n.nodeFingerprint,
    created_at: n.createdAt.toISOString(),
    updated_at: n.updatedAt.toISOString(),
  };
}

export type PresentedNode = ReturnType<typeof presentNode>;

/** Nests a flat subtree (root first) into `children` arrays ordered by `order`. */
export function nest<T extends { id: string; parentId: string | null; order: number }, O>(
  rootId: string,
  rows: T[],
  present: (row: T) => O,
): O & { children: unknown[] } {
  const byParent = new Map<string | null, T[]>();
  for (const r of rows) {
    const list = byParent.get(r.parentId) ?? [];
    list.push(r);
    byParent.set(r.parentId, list);
  }
  // Each row is placed once: a loop in damaged data (the walk that produced `rows` cuts it) never recurses here.
  const placed = new Set<string>();
  const build = (row: T): O & { children: unknown[] } => {
    placed.add(row.id);
    const kids = (byParent.get(row.id) ?? []).filter((k) => !placed.has(k.id)).sort((a, b) => a.order - b.order);
    for (const k of kids) placed.add(k.id);
    return { ...present(row), children: kids.map(build) };
  };
  const root = rows.find((r) => r.id === rootId);
  if (!root) throw new Error('root missing from subtree');
  return build(root);
}
