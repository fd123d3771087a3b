// Group commit for the worker's per-job status writes: calls that arrive while a statement is in flight are
// written together by the next one (one UPDATE … WHERE id = ANY, one commit), so N concurrent jobs cost about one
// round trip and one WAL flush instead of N. A lone call is written at once. Each caller gets its own answer.
// Written here because batching libraries (dataloader) wait for the end of a tick and then write every batch at
// once; a group commit must write the first call immediately and batch only what arrives during a write.
export function groupCommit<I, R>(write: (items: I[]) => Promise<R[]>, maxBatch = 500): (item: I) => Promise<R> {
  let queued: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = false;
  const flush = async () => {
    inFlight = true;
    while (queued.length) {
      const batch = queued.slice(0, maxBatch);
      queued = queued.slice(batch.length);
      try {
        const results = await write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i] as R));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    inFlight = false;
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      queued.push({ item, resolve, reject });
      if (!inFlight) void flush();
    });
}
