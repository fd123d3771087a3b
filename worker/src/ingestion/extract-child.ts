// Child-process entry of extract-subprocess.ts: receives one request over IPC, runs extractFile, sends back the
// document or the error, and exits. Nothing else runs here, so a runaway parser only blocks this process.
import { extractFile, type ExtractOptions } from './extract.js';
import { InputError } from '../input-error.js';

export interface ChildRequest {
  path: string;
  options: Omit<ExtractOptions, 'video'>;
}

export type ChildReply =
  | { ok: true; document: Awaited<ReturnType<typeof extractFile>> }
  | { ok: false; error: { extraction: boolean; code: string; message: string } };

const reply = (message: ChildReply) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

process.once('message', (request: ChildRequest) => {
  void (async () => {
    try {
      const document = await extractFile(request.path, request.options);
      await reply({ ok: true, document });
    } catch (err) {
      const extraction = err instanceof InputError;
      const message = err instanceof Error ? err.message : String(err);
      await reply({ ok: false, error: { extraction, code: extraction ? err.code : 'internal', message } });
    }
    process.disconnect?.();
    process.exit(0);
  })();
});

process.send?.({ ready: true });
