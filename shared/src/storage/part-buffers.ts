// A process-wide budget for the part buffers of streamed uploads (upload-stream.ts). Every part of every upload
// in this process is assembled in a buffer lent by one pool, so the memory that uploads hold is bounded by the
// pool's budget however many run at once: an upload that finds the budget taken waits (its source is paused, so
// the client is throttled by TCP) until another upload's part has been sent. Buffers are reused rather than
// freed, which also keeps RSS flat: a fresh 5 MiB buffer per part is garbage that V8 collects late and that
// malloc does not always hand back, while a reused one costs nothing after its first use. Idle buffers stay
// allocated (at most the budget) for the next upload.
export class PartBufferPool {
  /** Idle buffers by size. */
  private readonly idle = new Map<number, Buffer[]>();
  private idleBytes = 0;
  /** Bytes of every buffer allocated (idle or lent); ≤ budgetBytes, see acquire(). */
  private allocated = 0;
  private peak = 0;
  private lent = 0;
  private readonly waiters: { size: number; resolve: (b: Buffer) => void }[] = [];

  constructor(readonly budgetBytes: number) {}

  /**
   * A buffer of exactly `size` bytes (contents undefined), at once when the budget allows, else when enough is
   * released; FIFO among waiters. A size over the whole budget is granted when nothing else is allocated.
   */
  acquire(size: number): Promise<Buffer> {
    if (this.waiters.length === 0) {
      const b = this.take(size);
      if (b) return Promise.resolve(b);
    }
    return new Promise((resolve) => this.waiters.push({ size, resolve }));
  }

  /** Gives a buffer from acquire() back; it must no longer be read or written by anyone. */
  release(buf: Buffer): void {
    this.lent -= buf.length;
    const list = this.idle.get(buf.length);
    if (list) list.push(buf);
    else this.idle.set(buf.length, [buf]);
    this.idleBytes += buf.length;
    while (this.waiters.length > 0) {
      const next = this.waiters[0] as { size: number; resolve: (b: Buffer) => void };
      const b = this.take(next.size);
      if (!b) break;
      this.waiters.shift();
      next.resolve(b);
    }
  }

  stats(): { budgetBytes: number; allocatedBytes: number; peakBytes: number; lentBytes: number; waiting: number } {
    return { budgetBytes: this.budgetBytes, allocatedBytes: this.allocated, peakBytes: this.peak, lentBytes: this.lent, waiting: this.waiters.length };
  }

  private take(size: number): Buffer | null {
    let buf = this.idle.get(size)?.pop();
    if (buf) {
      this.idleBytes -= size;
    } else {
      // Idle buffers of other sizes are dropped to make room before anyone has to wait.
      for (const [s, list] of this.idle) {
        if (this.allocated + size <= this.budgetBytes) break;
        while (list.length > 0 && this.allocated + size > this.budgetBytes) {
          list.pop();
          this.allocated -= s;
          this.idleBytes -= s;
        }
      }
      if (this.allocated + size > this.budgetBytes && this.allocated > 0) return null;
      buf = Buffer.allocUnsafeSlow(size);
      this.allocated += size;
      this.peak = Math.max(this.peak, this.allocated);
    }
    this.lent += size;
    return buf;
  }
}
