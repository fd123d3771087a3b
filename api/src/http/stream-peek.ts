// Reads the first bytes of a stream without consuming it for good: returns them and a stream that replays them
// followed by the rest, so uploads can be sniffed before a byte is stored. Plain events, not `for await`:
// breaking out of an async iterator destroys the source. The source's error listener is attached once and never
// removed: an error between the peek and the consumer (e.g. a truncated multipart body) must reach the returned
// stream, not crash the process as an unhandled 'error' event.
import { PassThrough, type Readable } from 'node:stream';

export function peek(stream: Readable, n: number): Promise<{ head: Buffer; body: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const body = new PassThrough();
    // The consumer attaches its own handlers a few ticks later (after sniffing); an error in between is kept on
    // the stream (`body.errored`, seen by pipeline/finished) instead of being thrown as unhandled.
    body.on('error', () => undefined);
    const finish = (ended: boolean) => {
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      const head = Buffer.concat(chunks);
      body.write(head);
      if (ended) body.end();
      else stream.pipe(body);
      resolve({ head, body });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= n) {
        stream.pause();
        finish(false);
      }
    };
    const onEnd = () => finish(true);
    stream.on('error', (err) => {
      if (settled) body.destroy(err);
      else reject(err);
    });
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}
