// A steady, bounded load (a few requests per second) against the fault stack, and the record of everything that
// happened: every request with its start/end time and answer, every health sample, every fault window.
import type { FaultStack } from './fault-stack.js';

export type Target = 'api' | 'victim';

export interface RequestRecord {
  kind: 'upload' | 'child' | 'get-job' | 'tree' | 'big-upload';
  target: Target;
  start: number;
  end: number;
  /** The uploaded file's name (uploads only). */
  name?: string;
  /** 0 when no answer arrived (connection refused or reset, timeout). */
  status: number;
  error?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body?: any;
}

export interface HealthSample {
  target: Target;
  t: number;
  status: number;
  checks?: Record<string, string>;
}

export interface FaultWindow {
  name: string;
  /** The moment the fault was injected (stop / SIGKILL). */
  start: number;
  /** The moment the dependency was started again. */
  restored: number;
  /** The moment /health answered 200 again. */
  end: number;
}

export class Recorder {
  readonly requests: RequestRecord[] = [];
  readonly health: HealthSample[] = [];
  readonly faults: FaultWindow[] = [];

  /** The fault whose injection instant the request straddles (it was in flight when the fault hit). */
  inFlightAt(r: RequestRecord): FaultWindow | undefined {
    return this.faults.find((f) => r.start <= f.start && r.end >= f.start);
  }

  /** Requests that started inside a fault window (after the fault was injected, before health was 200 again). */
  startedDuring(name: string): RequestRecord[] {
    const f = this.faults.find((x) => x.name === name);
    return f ? this.requests.filter((r) => r.start > f.start && r.start <= f.end) : [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(
  rec: Recorder,
  kind: RequestRecord['kind'],
  target: Target,
  url: string,
  init: RequestInit,
  name?: string,
): Promise<RequestRecord> {
  const start = Date.now();
  const r: RequestRecord = { kind, target, start, end: start, status: 0, name };
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
    r.status = res.status;
    const text = await res.text();
    try {
      r.body = text ? JSON.parse(text) : null;
    } catch {
      r.body = text.slice(0, 200);
    }
  } catch (err) {
    r.error = String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
  }
  r.end = Date.now();
  rec.requests.push(r);
  return r;
}

export function uploadForm(name: string, content: string): FormData {
  const form = new FormData();
  form.append('source_type', 'text');
  form.append('file', new Blob([content]), name);
  return form;
}

/** Runs two request loops (uploads; node creations and reads) and a /health poller until stopped. */
export function startLoad(stack: FaultStack, rec: Recorder): { stop(): Promise<void> } {
  let running = true;
  let n = 0;
  const headers = { 'X-API-Key': stack.key };
  const base = (t: Target) => `${t === 'api' ? stack.api.url : stack.victim.url}/api/v1`;
  const lastJob = () => [...rec.requests].reverse().find((r) => r.kind === 'upload' && r.status === 201)?.body?.job_id as string | undefined;

  const uploads = (async () => {
    while (running) {
      const i = ++n;
      const target: Target = i % 4 === 0 ? 'victim' : 'api';
      const text = `# Upload ${i}\n\n## Part A\n\nSteady load upload number ${i} about loops and lists.\n\n## Part B\n\nMore text ${i}.\n`;
      await timed(rec, 'upload', target, `${base(target)}/nodes/${stack.courseId}/materials`, {
        method: 'POST',
        headers,
        body: uploadForm(`load-${i}.md`, text),
      }, `load-${i}.md`);
      await sleep(700); // about one upload a second: what one worker ingests on this machine
    }
  })();

  const misc = (async () => {
    let i = 0;
    while (running) {
      i++;
      const target: Target = i % 5 === 0 ? 'victim' : 'api';
      if (i % 3 === 0 && lastJob()) {
        await timed(rec, 'get-job', target, `${base(target)}/jobs/${lastJob()}`, { headers });
      } else if (i % 3 === 1) {
        await timed(rec, 'child', target, `${base(target)}/nodes/${stack.courseId}/children`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `Lesson ${i}` }),
        });
      } else {
        await timed(rec, 'tree', target, `${base(target)}/nodes/${stack.courseId}`, { headers });
      }
      await sleep(350);
    }
  })();

  const poller = (async () => {
    while (running) {
      await Promise.all(
        (['api', 'victim'] as const).map(async (target) => {
          const t = Date.now();
          const url = `${target === 'api' ? stack.api.url : stack.victim.url}/health`;
          try {
            const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
            const body = (await res.json()) as { checks?: Record<string, string> };
            rec.health.push({ target, t, status: res.status, checks: body.checks });
          } catch {
            rec.health.push({ target, t, status: 0 });
          }
        }),
      );
      await sleep(200);
    }
  })();

  return {
    async stop() {
      running = false;
      await Promise.all([uploads, misc, poller]);
    },
  };
}

/** Polls the record until a /health sample of `target` taken after `since` satisfies `ok`. */
export async function waitForHealth(
  rec: Recorder,
  target: Target,
  since: number,
  ok: (s: HealthSample) => boolean,
  timeoutMs: number,
  what: string,
): Promise<HealthSample> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = rec.health.find((s) => s.target === target && s.t >= since && ok(s));
    if (hit) return hit;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last samples: ${JSON.stringify(rec.health.filter((s) => s.target === target).slice(-3))}`);
}
