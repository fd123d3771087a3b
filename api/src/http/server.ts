// The HTTP server around buildApp(): its timeouts and the answer to requests Node's parser refuses before the
// application sees them. main.ts and the tests (test/support/api.ts) create it here, so they cannot differ.
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { AppError, type ErrorCode } from '../../../shared/src/errors/index.js';
import { newId } from '../../../shared/src/db/ids.js';
import { errorBody } from '../middleware/errors.js';

/** Node's parser errors (err.code) and the answers they get; Node's own defaults, in the API's error shape. */
function parserAnswer(code: string | undefined): { code: ErrorCode; detail: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers_too_large', detail: 'Request line or headers too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'payload_too_large', detail: 'Chunk extensions too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', detail: 'Request headers were not received in time' };
    default:
      return { code: 'bad_request', detail: 'Malformed HTTP request' };
  }
}

/**
 * Replaces Node's default 'clientError' answer (a bare status line, e.g. 431 with an empty body) with a complete
 * JSON response in API.md's error shape. As in Node's default handler, nothing is written when the socket is
 * gone or a response is already under way on it; the connection is closed either way.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || err.code === 'ECONNRESET' || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = parserAnswer(err.code);
  const e = new AppError(answer.code, answer.detail);
  const requestId = newId();
  const body = JSON.stringify(errorBody(e, requestId));
  socket.end(
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}

export function createHttpServer(app: Express): Server {
  const server = createServer(app);
  // No total request time: a large upload may take long. Request bodies that stop moving are cut by the
  // body-progress timeout (api/src/http/body-timeout.ts) instead.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  return server;
}
