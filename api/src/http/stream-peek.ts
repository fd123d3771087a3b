// Reads the first bytes of a stream without consuming it for good: returns them and a stream that replays them
// followed by the rest, so uploads can be sniffed before a byte is stored. Plain events, not `for await`:
// breaking out of an async iterator destroys the source.
import { PassThrough, type Readable } from 'node:stream';

export async function peek(stream: Readable, n: number): Promise<{ head: Buffer; body: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= n) {
        stream.pause();
        cleanup();
        resolve();
      }
    };
    const onEnd = () => {
      ended = true;
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  const head = Buffer.concat(chunks);
  const body = new PassThrough();
  body.write(head);
  if (ended) body.end();
  else {
    stream.on('error', (err) => body.destroy(err));
    stream.pipe(body);
  }
  return { head, body };
}
