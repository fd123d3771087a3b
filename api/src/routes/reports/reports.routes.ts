// GET /reports/cost: this tenant's provider calls (embeddings, LLM, transcription), summed and grouped.
import { z } from 'zod';
import '../../openapi.js';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import { invalid } from '../../../../shared/src/errors/index.js';

// The instant in UTC must fall in years 1..9999: Postgres has no year 0 (a Date of year 0 is refused with 22008)
// and a Date past 9999 serialises with a six-digit year it does not read either.
const Instant = z.iso.datetime({ offset: true }).refine((s) => {
  const year = new Date(s).getUTCFullYear();
  return year >= 1 && year <= 9999;
}, 'Date must lie between the years 1 and 9999 (UTC)');
const CostQuery = z.object({ from: Instant.optional(), to: Instant.optional() });
const Totals = z.object({ calls: z.number().int(), cost_usd: z.number(), units_in: z.number(), units_out: z.number(), avg_latency_ms: z.number() });
const Group = Totals.extend({ group: z.string() });
const CostReport = z
  .object({ summary: Totals.extend({ from: z.string().nullable(), to: z.string().nullable() }), by_action: z.array(Group), by_provider: z.array(Group), by_model: z.array(Group) })
  .openapi('CostReport');

type Row = { group: string; calls: bigint; cost_usd: string | null; units_in: bigint | null; units_out: bigint | null; avg_latency_ms: number | null };
const present = (r: Omit<Row, 'group'>) => ({
  calls: Number(r.calls),
  cost_usd: Number(r.cost_usd ?? 0),
  units_in: Number(r.units_in ?? 0),
  units_out: Number(r.units_out ?? 0),
  avg_latency_ms: Math.round(Number(r.avg_latency_ms ?? 0) * 10) / 10,
});

export function reportRoutes(deps: { prisma: PrismaClient }): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/reports/cost',
      scope: 'prep_or_check',
      summary: "Provider calls and their cost for this tenant (optional time range)",
      tags: ['reports'],
      query: CostQuery,
      responses: { 200: { description: 'Summary and groups', schema: CostReport } },
      errors: [422],
      handler: async ({ res, auth, query }) => {
        const from = query.from ? new Date(query.from) : new Date(0);
        const to = query.to ? new Date(query.to) : new Date('9999-12-31T00:00:00Z');
        if (from > to) throw invalid(['query', 'from'], '"from" must not be after "to"');
        const group = (column: 'action' | 'provider' | 'model') =>
          deps.prisma.$queryRawUnsafe<Row[]>(
            `SELECT ${column} AS "group", count(*) AS calls, sum(cost_usd)::text AS cost_usd, sum(units_in) AS units_in,
                    sum(units_out) AS units_out, avg(latency_ms)::float8 AS avg_latency_ms
             FROM provider_calls WHERE tenant_id = $1::uuid AND created_at >= $2 AND created_at <= $3
             GROUP BY ${column} ORDER BY sum(cost_usd) DESC, count(*) DESC, ${column}`,
            auth.tenantId,
            from,
            to,
          );
        const [byAction, byProvider, byModel] = await Promise.all([group('action'), group('provider'), group('model')]);
        const all = byAction.reduce(
          (acc, r) => ({
            calls: acc.calls + Number(r.calls),
            cost: acc.cost + Number(r.cost_usd ?? 0),
            uin: acc.uin + Number(r.units_in ?? 0),
            uout: acc.uout + Number(r.units_out ?? 0),
            lat: acc.lat + Number(r.avg_latency_ms ?? 0) * Number(r.calls),
          }),
          { calls: 0, cost: 0, uin: 0, uout: 0, lat: 0 },
        );
        res.json({
          summary: {
            calls: all.calls,
            cost_usd: Math.round(all.cost * 1e6) / 1e6,
            units_in: all.uin,
            units_out: all.uout,
            avg_latency_ms: all.calls ? Math.round((all.lat / all.calls) * 10) / 10 : 0,
            from: query.from ?? null,
            to: query.to ?? null,
          },
          by_action: byAction.map((r) => ({ group: r.group, ...present(r) })),
          by_provider: byProvider.map((r) => ({ group: r.group, ...present(r) })),
          by_model: byModel.map((r) => ({ group: r.group, ...present(r) })),
        });
      },
    }),
  ];
}
