// Dockerfile.api / Dockerfile.worker / .dockerignore read as text (no Docker engine here): stage layout, production
// dependencies only in the runtime stage, non-root user, tini, healthchecks, and every COPY source present in the
// build context. scripts/docker-runtime-check.sh exercises the runtime stage's steps for real.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Dockerfile → stages: name → instruction lines (continuations joined). */
function stages(text: string): Map<string, string[]> {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const l of lines) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) out.set(from[1] ?? `stage${out.size}`, (cur = [l]));
    else cur?.push(l);
  }
  return out;
}

const ignore = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const ignored = (path: string) =>
  ignore.some((pat) => {
    if (pat.startsWith('!')) return false;
    const body = pat
      .split('**/')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
      .join('(?:.*/)?');
    const re = new RegExp(`^${body}(?:/.*)?$`);
    return re.test(path);
  });

describe.each([
  { file: 'Dockerfile.api', main: 'dist/api/src/main.js', health: /\/health\/live/ },
  { file: 'Dockerfile.worker', main: 'dist/worker/src/main.js', health: /dist\/scripts\/worker-health\.js/ },
])('$file', ({ file, main, health }) => {
  const text = read(file);
  const s = stages(text);
  const runtime = s.get('runtime') ?? [];

  it('builds in stages deps → build → prod-deps → runtime on a slim Node LTS image', () => {
    expect([...s.keys()]).toEqual(['base', 'deps', 'build', 'prod-deps', 'runtime']);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(s.get('deps')!.join('\n')).toMatch(/npm ci --ignore-scripts && bash scripts\/prisma-generate\.sh/);
    expect(s.get('build')!.join('\n')).toMatch(/npm run build/);
    expect(s.get('prod-deps')!.join('\n')).toMatch(/npm ci --omit=dev --ignore-scripts/);
  });

  it('runtime: production node_modules, dist and migrations only, as user app under tini with a healthcheck', () => {
    const r = runtime.join('\n');
    expect(r).toMatch(/COPY --from=prod-deps \/app\/node_modules \.\/node_modules/);
    expect(r).not.toMatch(/COPY --from=(deps|build) \/app\/node_modules/);
    expect(r).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(r).toMatch(/COPY prisma \.\/prisma/);
    expect(r).toMatch(/useradd .*\bapp$/m);
    expect(runtime.filter((l) => l.startsWith('USER '))).toEqual(['USER app']);
    expect(r).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(r).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(r).toMatch(new RegExp(`CMD \\["node", (?:"--max-semi-space-size=8", )?"${main.replaceAll('.', '\\.')}"\\]`));
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(health);
    expect(r).toMatch(/ENV NODE_ENV=production/);
    if (file === 'Dockerfile.worker') expect(r).toMatch(/install -y --no-install-recommends tini ffmpeg/);
    else expect(r).not.toMatch(/ffmpeg/);
  });

  it('copies only sources that exist and are not excluded by .dockerignore', () => {
    const copies = [...s.values()].flat().filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l));
    expect(copies.length).toBeGreaterThan(3);
    for (const c of copies) {
      const parts = c.split(/\s+/).slice(1).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        expect(existsSync(join(ROOT, src)), `${file}: ${c}`).toBe(true);
        expect(ignored(src), `${file}: ${src} is in .dockerignore`).toBe(false);
      }
    }
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, secrets and the generated client out of the build context', () => {
    for (const p of ['node_modules', 'dist', '.git', '.env', '.env.prod', 'var', 'shared/src/db/generated', 'api/src/x.test.ts']) {
      expect(ignored(p), p).toBe(true);
    }
    for (const p of ['package.json', 'package-lock.json', 'api/src/main.ts', 'prisma/schema.prisma', 'scripts/prisma-generate.sh']) {
      expect(ignored(p), p).toBe(false);
    }
  });
});

describe('migrations run once, from the api image', () => {
  it('the compose migrate command runs the script the api image builds', () => {
    expect(read('Dockerfile.api')).toMatch(/test -f dist\/scripts\/migrate\.js/);
    for (const f of ['docker-compose.yaml', 'docker-compose.prod.yaml']) {
      expect(read(f)).toContain('command: ["node", "--experimental-wasm-modules", "--no-warnings=ExperimentalWarning", "dist/scripts/migrate.js"]');
    }
  });
});
