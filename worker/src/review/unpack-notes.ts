// Collects what the unpacker skipped or ignored and renders it as a few short notes (at most 8 names per kind,
// then "and N more"), so a 5,000-file node_modules becomes one line.

type Kind = 'vendored' | 'binary' | 'link' | 'special' | 'archive' | 'junk' | 'empty' | 'unsupported' | 'duplicate';

const LABEL: Record<Kind, string> = {
  vendored: 'Skipped vendored folders',
  binary: 'Skipped binary files',
  link: 'Ignored symbolic/hard links (not followed)',
  special: 'Ignored special entries (devices, FIFOs)',
  archive: 'Nested archives not expanded',
  junk: 'Skipped system files',
  empty: 'Skipped empty files',
  unsupported: 'Skipped entries that cannot be read (unsupported compression)',
  duplicate: 'Skipped repeated entries (the first copy was kept)',
};

const SHOW = 8;

export class UnpackNotes {
  private readonly seen = new Map<Kind, { names: string[]; count: number; set: Set<string> }>();

  add(kind: Kind, name: string): void {
    let bucket = this.seen.get(kind);
    if (!bucket) this.seen.set(kind, (bucket = { names: [], count: 0, set: new Set() }));
    if (bucket.set.has(name)) return;
    bucket.set.add(name);
    bucket.count++;
    if (bucket.names.length < SHOW) bucket.names.push(name);
    if (bucket.set.size > 10_000) bucket.set.clear(); // bound memory; counts may then include repeats
  }

  has(kind: Kind): boolean {
    return this.seen.has(kind);
  }

  toNotes(): string[] {
    const out: string[] = [];
    for (const kind of Object.keys(LABEL) as Kind[]) {
      const b = this.seen.get(kind);
      if (!b) continue;
      const more = b.count - b.names.length;
      out.push(`${LABEL[kind]}: ${b.names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
    }
    return out;
  }
}
