// Server-sent events for one job: the job is re-read every POLL_MS and an event is sent whenever its status or
// progress changed; the stream ends after a terminal state. Polling Postgres (the source of truth) keeps this
// correct across API processes and worker restarts without another channel to keep in step.
import type { Request, Response } from 'express';

const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;
const TERMINAL = new Set(['complete', 'failed', 'cancelled']);

export async function streamJobEvents<J extends { status: string; progress: number }>(
  req: Request,
  res: Response,
  load: () => Promise<J>,
  present: (job: J) => Promise<unknown>,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
  res.flushHeaders();

  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  let last = '';
  let lastWrite = Date.now();
  let seq = 0;
  while (!closed) {
    let job: J;
    try {
      job = await load();
    } catch {
      res.write(`event: error\ndata: ${JSON.stringify({ detail: 'Job not found' })}\n\n`);
      break;
    }
    const signature = `${job.status}:${job.progress}`;
    if (signature !== last) {
      last = signature;
      res.write(`id: ${++seq}\nevent: ${job.status}\ndata: ${JSON.stringify(await present(job))}\n\n`);
      lastWrite = Date.now();
      if (TERMINAL.has(job.status)) break;
    } else if (Date.now() - lastWrite > KEEPALIVE_MS) {
      res.write(': keep-alive\n\n');
      lastWrite = Date.now();
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  res.end();
}
