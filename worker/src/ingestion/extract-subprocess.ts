// Runs extractFile in a child process (child_process.fork of extract-child), so CPU-heavy parsing (pdfjs runs
// in-thread on Node, mammoth, linkedom…) can never starve the worker's event loop and its BullMQ lock renewals.
// The child gets its own heap limit (--max-old-space-size) and a wall-clock timeout after which it is
// SIGKILLed. The document comes back over IPC (V8 structured serialization); an InputError raised in the
// child comes back as an InputError with the same code and message. Timeouts and heap exhaustion are
// ExtractionErrors too (the same file would do the same again). Video is the exception: it is run in the
// calling process, because its heavy part is already a separate ffmpeg process and the transcriber (an object
// with network clients) cannot be sent to a child.
// Loading the extractors' module graph takes a child ~0.5 s compiled (~2 s under tsx), more than extracting a
// typical lesson file. So one spare child of the default entry is forked ahead and waits, loaded, for the next
// request: that load happens while the previous file is fetched or parsed, not on its path. Every child still
// serves exactly one file and exits; the spare is replaced as soon as it is taken.
import { fork, type ChildProcess } from 'node:child_process';
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

interface Spare {
  child: ChildProcess;
  ready: boolean;
  maxOldSpaceMb: number;
  /** Removes the listeners it has while waiting (once taken, extractInSubprocess listens itself). */
  detach(): void;
}
let spare: Spare | null = null;

const forkChild = (entry: string, maxOldSpaceMb: number): Spare => {
  const execArgv = [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), `--max-old-space-size=${maxOldSpaceMb}`];
  const child = fork(entry, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const onReady = (msg: unknown) => {
    if (msg && typeof msg === 'object' && 'ready' in msg) s.ready = true;
  };
  const onExit = () => {
    if (spare === s) spare = null;
  };
  const onError = () => undefined; // a spare that failed to start is not used ('exit' clears it)
  const s: Spare = {
    child,
    ready: false,
    maxOldSpaceMb,
    detach: () => {
      child.off('message', onReady);
      child.off('exit', onExit);
      child.off('error', onError);
    },
  };
  child.on('message', onReady);
  child.once('exit', onExit);
  child.on('error', onError);
  return s;
};

/** Takes the waiting spare (when it fits) or forks a child, and forks the next spare behind it. */
function takeChild(entry: string, maxOldSpaceMb: number): Spare {
  if (entry !== DEFAULT_ENTRY) return forkChild(entry, maxOldSpaceMb);
  let s = spare;
  spare = null;
  if (!s || s.maxOldSpaceMb !== maxOldSpaceMb || s.child.exitCode !== null || s.child.signalCode !== null || !s.child.connected) {
    if (s) s.child.kill('SIGKILL');
    s = forkChild(entry, maxOldSpaceMb);
  }
  s.detach();
  spare = forkChild(entry, maxOldSpaceMb);
  // An idle spare must not keep the worker alive, and its stderr is not ours to read until it is taken.
  spare.child.unref();
  spare.child.channel?.unref();
  spare.child.stderr?.resume();
  s.child.ref();
  s.child.channel?.ref();
  return s;
}

/** Whether a loaded spare child is waiting (tests), and its pid. */
export function spareExtractor(): { pid: number | undefined; ready: boolean } | null {
  return spare ? { pid: spare.child.pid, ready: spare.ready } : null;
}

/** Kills the waiting spare (worker shutdown; the next extraction, if any, forks afresh). */
export function stopSpareExtractor(): void {
  spare?.child.kill('SIGKILL');
  spare = null;
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
  const taken = takeChild(childEntry, maxOldSpaceMb);
  const child = taken.child;

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
    if (taken.ready) child.send(request); // a spare that loaded while waiting
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
