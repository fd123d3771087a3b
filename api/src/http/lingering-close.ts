// A refusal sent while the client is still sending its body (413 over the limit, 422 after the first bytes)
// must reach the client. Closing the connection at once makes the kernel answer the bytes still arriving with a
// reset, and a client that is still writing — Node's fetch/undici, the usual LMS client — then sees EPIPE or
// ECONNRESET instead of the response (curl happens to read it). So, as nginx's lingering close does, the rest of
// the body is read and discarded for a bounded time and amount after the refusal; a client that finishes
// sending within the bound keeps a clean connection, one that does not is cut off. Node's http server has no
// such option (it either reads the whole body or closes), hence these few lines.
import type { Request } from 'express';

/** The longest a refused body is read on, and the most bytes read of it (nginx: lingering_time 30 s). */
export const LINGER_MS = 30_000;
export const LINGER_BYTES = 256 * 1024 * 1024;

/** Call before the refusal is answered: reads on and discards what is left of `req`'s body, within the bounds. */
export function lingerOnRefusal(req: Request, bounds: { ms?: number; bytes?: number } = {}): void {
  if (req.complete || req.readableEnded || req.destroyed) return;
  const maxBytes = bounds.bytes ?? LINGER_BYTES;
  let read = 0;
  const cutOff = () => {
    cleanup();
    req.socket.destroy();
  };
  const timer = setTimeout(cutOff, bounds.ms ?? LINGER_MS);
  timer.unref();
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > maxBytes) cutOff();
  };
  const cleanup = () => {
    clearTimeout(timer);
    req.off('data', onData);
  };
  req.unpipe();
  req.on('data', onData); // a reader of our own also keeps Node from closing the connection on its own
  req.once('end', cleanup);
  req.once('close', cleanup);
  req.resume();
}
