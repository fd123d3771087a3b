// Request bodies that stop moving (slow-loris uploads, a head with a Content-Length and no body) are cut by the
// app itself: the server has no total request time (large uploads may take long), and nginx in front only
// bounds the time between two reads (300 s), which a body trickling one byte every 2 s never exceeds.
//
// Per request, a timer looks at the connection every `windowMs`: the body must have brought at least `minBytes`
// since the last look, or else be waiting on us (the request stream holds a full buffer, so Node has stopped
// reading the socket: a slow S3 or a busy parser, not a slow client). Otherwise the answer is 408 and the
// request stream is aborted once the answer is out, which ends whatever the route was doing with the body
// (busboy and the S3 upload see 'aborted' and clean up), so nothing is stored. Node's 'data' events cannot be used to watch progress without
// taking the body from its real consumer; the socket's bytesRead counter can.
import type { RequestHandler } from 'express';
import { AppError } from '../../../shared/src/errors/index.js';
import { errorBody } from '../middleware/errors.js';

const hasBody = (headers: Record<string, string | string[] | undefined>) =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;

export function bodyProgressTimeout(windowMs: number, minBytes: number): RequestHandler {
  return (req, res, next) => {
    if (windowMs <= 0 || req.complete || !hasBody(req.headers)) return next();
    const socket = req.socket;
    let mark = socket.bytesRead;
    const timer = setInterval(() => {
      if (req.complete || socket.destroyed) return stop();
      const read = socket.bytesRead;
      const waitingOnUs = req.readableLength >= req.readableHighWaterMark;
      const moved = read - mark >= minBytes;
      mark = read;
      if (moved || waitingOnUs) return;
      stop();
      const err = new AppError('request_timeout', `Request body too slow: less than ${minBytes} bytes in ${windowMs} ms`);
      req.log?.warn({ received_bytes: read }, 'request body stalled; answering 408');
      if (res.headersSent) {
        socket.destroy();
        return;
      }
      res.setHeader('Connection', 'close');
      res.status(err.status).json(errorBody(err, req.id));
      // Node closes the connection after a `Connection: close` answer, but it has already let go of this request
      // by then, so the request stream would never end nor abort and the route would wait on it for good (an S3
      // multipart upload left open). Abort it once the connection is closed; and do not wait for a client that
      // keeps it half-open.
      const abortBody = () => {
        if (!req.destroyed) req.destroy();
      };
      res.once('finish', () => {
        if (socket.destroyed) abortBody();
        else socket.once('close', abortBody);
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    }, windowMs);
    const stop = () => clearInterval(timer);
    req.once('close', stop);
    next();
  };
}
