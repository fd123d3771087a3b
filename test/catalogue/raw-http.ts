// HTTP requests sent exactly as written: node:http keeps the path verbatim (fetch would normalise `..` and
// re-encode), and a raw socket can send what no well-behaved client would (bytes Node's client refuses).
import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

const parse = (text: string) => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};

/** One request over a fresh connection; the path is sent as given (it must start with '/'). */
export function send(baseUrl: string, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { connection: 'close', ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}), ...req.headers },
        timeout: timeoutMs,
        insecureHTTPParser: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`request timed out: ${req.method} ${req.path.slice(0, 80)}`)));
    r.on('error', reject);
    // A server may answer (413, 422) and close before the whole body is read: EPIPE / ECONNRESET on our side
    // then is expected, and the response has usually arrived already.
    if (req.body !== undefined) r.write(req.body, () => undefined);
    r.end();
  });
}

/** Writes raw bytes on a socket and returns the status line's code and the rest (for requests Node's client refuses). */
export function sendBytes(baseUrl: string, bytes: Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('raw request timed out')), timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (chunks.length) finish();
      else reject(err);
    });
    socket.on('end', () => finish());
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, text: body, json: parse(body) });
    }
  });
}

export interface TrickleOptions {
  /** Sent at once after connecting (request head and any body bytes). */
  head: Buffer;
  /** Then one byte of `rest` every `everyMs` (a slow-loris body), until an answer arrives or `rest` runs out. */
  rest: Buffer;
  everyMs: number;
  timeoutMs: number;
}

/** A request whose body trickles in over a raw socket; resolves with the answer and when it came. */
export function trickle(baseUrl: string, opts: TrickleOptions): Promise<RawResponse & { afterMs: number }> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let sent = 0;
    let drip: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    socket.on('connect', () => {
      socket.write(opts.head);
      drip = setInterval(() => {
        if (sent < opts.rest.length && socket.writable) socket.write(opts.rest.subarray(sent, ++sent));
      }, opts.everyMs);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    const done = (err?: Error) => {
      clearTimeout(timer);
      clearInterval(drip);
      if (!chunks.length) return reject(err ?? new Error('connection closed without an answer'));
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = headText.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, text: body, json: parse(body), afterMs: Date.now() - started });
    };
    socket.on('error', (err) => done(err));
    socket.on('close', () => done());
  });
}
