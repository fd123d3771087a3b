// Slide–video mapping routes (API.md): 201 all created · 207 some · 422 none, with per-item reasons and hints.
import { z } from 'zod';
import '../../openapi.js';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import { Prisma, type PrismaClient } from '../../../../shared/src/db/client.js';
import type { SlideMapping } from '../../../../shared/src/db/generated/client.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { notFound } from '../../../../shared/src/errors/index.js';
import { subtreeIds } from '../../../../shared/src/db/nodes.repository.js';
import { checkAgainstMaterials } from '../../../../shared/src/db/slide-mappings.repository.js';
import { NodeIdParams } from '../nodes/nodes.schemas.js';
import { getNode } from '../nodes/nodes.service.js';

const MappingInput = z.object({
  presentation_materialentry_id: z.unknown(),
  video_materialentry_id: z.unknown(),
  slide_number: z.unknown(),
  video_timecode_start: z.unknown(),
  video_timecode_end: z.unknown().optional(),
});
const Body = z.object({ mappings: z.array(MappingInput).min(1).max(1000) }).openapi('SlideMappingRequest');
const MappingSchema = z
  .object({
    id: z.uuid(),
    materialnode_id: z.uuid(),
    presentation_materialentry_id: z.uuid(),
    video_materialentry_id: z.uuid(),
    slide_number: z.number().int(),
    video_timecode_start: z.string(),
    video_timecode_end: z.string().nullable(),
    status: z.enum(['pending_validation', 'validated', 'rejected']),
    validation_error: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('SlideMapping');
const Result = z
  .object({
    created: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    mappings: z.array(MappingSchema),
    skipped_items: z.array(z.object({ index: z.number().int(), reason: z.string() })),
    rejected: z.array(z.object({ index: z.number().int(), errors: z.array(z.object({ field: z.string(), message: z.string(), hint: z.string() })) })),
    hints: z.array(z.string()),
  })
  .openapi('SlideMappingResult');

/** "HH:MM:SS(.mmm)", "MM:SS" or seconds → seconds; null when unreadable. */
export function parseTimecode(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d{1,3})?)$/.exec(v.trim());
  if (m) return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : null;
}

export const formatTimecode = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s - h * 3600 - m * 60;
  const pad = (n: number) => String(Math.floor(n)).padStart(2, '0');
  const frac = Math.round((sec % 1) * 1000);
  return `${pad(h)}:${pad(m)}:${pad(sec)}${frac ? `.${String(frac).padStart(3, '0')}` : ''}`;
};

const present = (m: SlideMapping) => ({
  id: m.id,
  materialnode_id: m.nodeId,
  presentation_materialentry_id: m.presentationMaterialId,
  video_materialentry_id: m.videoMaterialId,
  slide_number: m.slideNumber,
  video_timecode_start: formatTimecode(m.videoTimecodeStart),
  video_timecode_end: m.videoTimecodeEnd === null ? null : formatTimecode(m.videoTimecodeEnd),
  status: m.status as 'pending_validation' | 'validated' | 'rejected',
  validation_error: m.validationError,
  created_at: m.createdAt.toISOString(),
});

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function slideMappingRoutes(deps: { prisma: PrismaClient }): RouteDef[] {
  const { prisma } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/nodes/:id/slide-mapping',
      scope: 'prep',
      summary: 'Map presentation slides to video timecodes',
      tags: ['structure'],
      params: NodeIdParams,
      body: Body,
      responses: {
        201: { description: 'All created', schema: Result },
        207: { description: 'Some created, some rejected or skipped', schema: Result },
        422: { description: 'None created', schema: Result },
      },
      errors: [404],
      handler: async ({ res, auth, params, body }) => {
        await getNode(prisma, auth.tenantId, params.id);
        const inSubtree = new Set(await subtreeIds(prisma, auth.tenantId, params.id));
        const out: z.infer<typeof Result> = { created: 0, skipped: 0, failed: 0, mappings: [], skipped_items: [], rejected: [], hints: [] };
        for (const [index, item] of body.mappings.entries()) {
          const errors: { field: string; message: string; hint: string }[] = [];
          const start = parseTimecode(item.video_timecode_start);
          const end = item.video_timecode_end === undefined || item.video_timecode_end === null ? null : parseTimecode(item.video_timecode_end);
          const slide = item.slide_number;
          if (!Number.isInteger(slide) || (slide as number) < 1) errors.push({ field: 'slide_number', message: 'must be an integer ≥ 1', hint: 'Slides are numbered from 1' });
          if (start === null) errors.push({ field: 'video_timecode_start', message: 'not a timecode', hint: 'Use HH:MM:SS, MM:SS or seconds' });
          if (item.video_timecode_end !== undefined && item.video_timecode_end !== null && end === null) {
            errors.push({ field: 'video_timecode_end', message: 'not a timecode', hint: 'Use HH:MM:SS, MM:SS or seconds' });
          }
          if (start !== null && end !== null && end <= start) errors.push({ field: 'video_timecode_end', message: 'must be after the start', hint: 'Leave it out for an open end' });
          const load = async (field: string, id: unknown, type: string) => {
            if (typeof id !== 'string' || !uuidRe.test(id)) {
              errors.push({ field, message: 'not a UUID', hint: 'Use a material id from GET /nodes/{id}/materials' });
              return null;
            }
            const m = await prisma.material.findFirst({ where: { id, tenantId: auth.tenantId } });
            if (!m || !inSubtree.has(m.nodeId)) {
              errors.push({ field, message: 'no such material in this node', hint: 'The material must belong to this node or its children' });
              return null;
            }
            if (m.sourceType !== type) errors.push({ field, message: `is a ${m.sourceType} material, not ${type}`, hint: `Pick a ${type} material` });
            return m;
          };
          const presentation = await load('presentation_materialentry_id', item.presentation_materialentry_id, 'presentation');
          const video = await load('video_materialentry_id', item.video_materialentry_id, 'video');
          if (errors.length || !presentation || !video || start === null) {
            out.failed++;
            out.rejected.push({ index, errors });
            continue;
          }
          const check = await checkAgainstMaterials(prisma, presentation, video, slide as number, start, end);
          if (check.status === 'rejected') {
            out.failed++;
            out.rejected.push({ index, errors: [{ field: 'mapping', message: check.error ?? 'rejected', hint: 'Check the slide count and the video length' }] });
            continue;
          }
          try {
            const row = await prisma.slideMapping.create({
              data: {
                id: newId(),
                tenantId: auth.tenantId,
                nodeId: params.id,
                presentationMaterialId: presentation.id,
                videoMaterialId: video.id,
                slideNumber: slide as number,
                videoTimecodeStart: start,
                videoTimecodeEnd: end,
                status: check.status,
                validationError: check.error,
              },
            });
            out.created++;
            out.mappings.push(present(row));
          } catch (err) {
            if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
              out.skipped++;
              out.skipped_items.push({ index, reason: 'already mapped' });
            } else throw err;
          }
        }
        if (out.mappings.some((m) => m.status === 'pending_validation')) {
          out.hints.push('Mappings of materials still being ingested are validated when ingestion finishes');
        }
        if (out.rejected.length) out.hints.push('Fix the rejected items and send only those again');
        const status = out.created === 0 && out.skipped === 0 ? 422 : out.failed > 0 || out.skipped > 0 ? 207 : 201;
        res.status(status).json(out);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id/slide-mapping',
      scope: 'prep_or_check',
      summary: "A node's slide mappings",
      tags: ['structure'],
      params: NodeIdParams,
      responses: { 200: { description: 'Mappings', schema: z.object({ items: z.array(MappingSchema), total: z.number().int() }) } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        await getNode(prisma, auth.tenantId, params.id);
        const items = await prisma.slideMapping.findMany({
          where: { tenantId: auth.tenantId, nodeId: params.id },
          orderBy: [{ slideNumber: 'asc' }, { videoTimecodeStart: 'asc' }],
        });
        res.json({ items: items.map(present), total: items.length });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/slide-mapping/:id',
      scope: 'prep',
      summary: 'Delete a slide mapping',
      tags: ['structure'],
      params: z.object({ id: z.uuid() }),
      responses: { 204: { description: 'Deleted' } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        const { count } = await prisma.slideMapping.deleteMany({ where: { id: params.id, tenantId: auth.tenantId } });
        if (!count) throw notFound('Slide mapping not found');
        res.status(204).end();
      },
    }),
  ];
}
