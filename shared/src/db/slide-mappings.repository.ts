// Slide ↔ video mappings, validated in levels: the shape at once (API), then against the materials once both
// are ready — slide within the deck, timecodes within the video. Until then a mapping is pending_validation;
// it is checked again when either material finishes ingestion.
import type { Prisma, PrismaClient } from './client.js';

type Db = PrismaClient | Prisma.TransactionClient;
type Material = { id: string; state: string; sourceType: string; document: unknown; chunkCount: number };

export interface MappingCheck {
  status: 'pending_validation' | 'validated' | 'rejected';
  error: string | null;
}

const stats = (m: Material) => ((m.document as { stats?: Record<string, number> } | null)?.stats ?? {}) as Record<string, number | undefined>;

/** Duration of a video material: from the transcriber, else the end of its last timed chunk. */
async function durationOf(db: Db, m: Material): Promise<number | null> {
  const fromStats = stats(m).duration_seconds;
  if (typeof fromStats === 'number') return fromStats;
  const [row] = await db.$queryRaw<{ end: number | null }[]>`
    SELECT max((metadata->>'end_seconds')::float8) AS "end" FROM material_chunks WHERE material_id = ${m.id}::uuid`;
  return row?.end ?? null;
}

export async function checkAgainstMaterials(
  db: Db,
  presentation: Material,
  video: Material,
  slide: number,
  start: number,
  end: number | null,
): Promise<MappingCheck> {
  if (presentation.state === 'error' || video.state === 'error') return { status: 'rejected', error: 'A mapped material failed ingestion' };
  if (presentation.state !== 'ready' || video.state !== 'ready') return { status: 'pending_validation', error: null };
  const slides = stats(presentation).slides ?? stats(presentation).pages;
  if (typeof slides === 'number' && slide > slides) {
    return { status: 'rejected', error: `slide_number ${slide} is beyond the presentation's ${slides} slides` };
  }
  const duration = await durationOf(db, video);
  if (duration !== null && (start > duration || (end !== null && end > duration + 1))) {
    return { status: 'rejected', error: `timecode is beyond the video's duration (${Math.round(duration)} s)` };
  }
  return { status: 'validated', error: null };
}

/** Re-checks the pending mappings that involve a material (called when its ingestion finished). */
export async function revalidateMappingsFor(db: Db, tenantId: string, materialId: string): Promise<number> {
  const pending = await db.slideMapping.findMany({
    where: { tenantId, status: 'pending_validation', OR: [{ presentationMaterialId: materialId }, { videoMaterialId: materialId }] },
  });
  for (const p of pending) {
    const [presentation, video] = await Promise.all([
      db.material.findFirst({ where: { id: p.presentationMaterialId, tenantId } }),
      db.material.findFirst({ where: { id: p.videoMaterialId, tenantId } }),
    ]);
    const check =
      presentation && video
        ? await checkAgainstMaterials(db, presentation, video, p.slideNumber, p.videoTimecodeStart, p.videoTimecodeEnd)
        : { status: 'rejected' as const, error: 'A mapped material was deleted' };
    await db.slideMapping.update({ where: { id: p.id }, data: { status: check.status, validationError: check.error } });
  }
  return pending.length;
}
