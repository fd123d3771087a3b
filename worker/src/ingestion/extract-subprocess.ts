// Runs extractFile in a child process (child_process.fork of extract-child), so CPU-heavy parsing (pdfjs runs
// in-thread on Node, mammoth, linkedom…) can never starve the worker's event loop and its BullMQ lock renewals.
// The child gets its own heap limit (--max-old-space-size) and a wall-clock timeout after which it is
// SIGKILLed. The document comes back over IPC (V8 structured serialization); an InputError raised in the
// child comes back as an InputError with the same code and message. Timeouts and heap exhaustion are
// ExtractionErrors too (the same file would do the same again). Video is the exception: it is run in the
// calling process, because its heavy part is already a separate ffmpeg process and the transcriber (an object
// with network clients) cannot be sent to a child.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { extractFile, detectFormat, type ExtractOptions } from './extract.js';
import { InputError, type ExtractionErrorCode } from '../input-error.js';
import type { ExtractedDocument } from './document.js';
import type { ChildReply, ChildRequest } from './extract-child.js';

const SELF_IS_TS = import.meta.url.endsWith('.ts');
const DEFAULT_ENTRY = fileURLToPath(new URL(SELF_IS_TS ? './extract-child.ts' : './extract-child.js', import.meta.url));

export interface SubprocessOptions extends ExtractOptions {
  /** Wall-clock limit for the child; it is SIGKILLed after it. Default 5 minutes. */
  timeoutMs?: number;
  /** V8 old-space limit of the child in MiB. Default 1024. */
  maxOldSpaceMb?: number;
  /** Aborting kills the child (worker shutdown); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Child entry module (tests substitute a misbehaving one). */
  childEntry?: string;
}

export async function extractInSubprocess(path: string, opts: SubprocessOptions): Promise<ExtractedDocument> {
  const format = opts.format ?? detectFormat(opts.filename, opts.sourceType);
  if (format === 'video') return extractFile(path, { ...opts, format });

  const { timeoutMs = 5 * 60_000, maxOldSpaceMb = 1024, signal, childEntry = DEFAULT_ENTRY } = opts;
  signal?.throwIfAborted();
  const request: ChildRequest = {
    path,
    options: {
      filename: opts.filename,
      format,
      ...(opts.sourceType && { sourceType: opts.sourceType }),
      ...(opts.limits && { limits: opts.limits }),
      ...(opts.charset && { charset: opts.charset }),
    },
  };
  const execArgv = [...(childEntry.endsWith('.ts') ? ['--import', 'tsx'] : []), `--max-old-space-size=${maxOldSpaceMb}`];
  const child = fork(childEntry, [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });

  return new Promise<ExtractedDocument>((resolve, reject) => {
    let settled = false;
    let stderrTail = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString('utf8')).slice(-4096);
    });
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new InputError('timeout', `extraction took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)));
    }, timeoutMs);
    const onAbort = () => finish(() => reject(signal?.reason ?? new Error('extraction aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('message', (msg: ChildReply | { ready: true }) => {
      // The request goes out once the child is listening (its module graph may take a while to load).
      if ('ready' in msg) child.send(request);
      else if (msg.ok) finish(() => resolve(msg.document));
      else if (msg.error.extraction) finish(() => reject(new InputError(msg.error.code as ExtractionErrorCode, msg.error.message)));
      else finish(() => reject(new Error(`extraction failed: ${msg.error.message}`)));
    });
    child.on('error', (err) => finish(() => reject(err)));
    // 'close' comes after the process exited and its IPC channel and stderr were drained, so a reply sent
    // before exiting has been handled by then; reaching here unsettled means the child died without one.
    child.on('close', (code, sig) =>
      finish(() => {
        if (/heap limit|out of memory/i.test(stderrTail)) {
          reject(new InputError('too_large', `extraction ran out of memory (limit ${maxOldSpaceMb} MiB); the file is too complex`));
        } else {
          reject(new InputError('crashed', `extraction stopped unexpectedly (${sig ?? `exit code ${code}`})`));
        }
      }),
    );
  });
}
