// ingest.material: source → temp file → extraction (child process, limits) → chunks. Idempotent: the
// material's chunks are replaced in one transaction, so a retry after a crash leaves exactly one set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import type { S3Client } from '@aws-sdk/client-s3';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { Config } from '../../../../shared/src/config/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { enqueue } from '../../../../shared/src/jobs/producer.js';
import { jobs } from '../../../../shared/src/jobs/definitions.js';
import { extractInSubprocess } from '../../ingestion/extract-subprocess.js';
import { isInputError } from '../../input-error.js';
import { chunkDocument } from '../../ingestion/chunker.js';
import { detectTextSearchConfig } from '../../../../shared/src/text-search/language.js';
import type { Transcriber } from '../../ingestion/transcriber.js';
import { cancelled, type JobContext } from '../../registry.js';
import { metrics } from '../../../../shared/src/metrics/index.js';
import { fetchObject, fetchWebPage, type FetchedSource } from './fetch-source.js';

export interface IngestDeps {
  prisma: PrismaClient;
  s3: S3Client;
  config: Config;
  logger: Logger;
  transcriberFor: (tenantId: string, jobId: string) => Transcriber | null;
}

const INSERT_BATCH = 500;

export function ingestMaterial(deps: IngestDeps) {
  return async (payload: { tenantId: string; materialId: string }, ctx: JobContext) => {
    const { prisma, config } = deps;
    const m = await prisma.material.findFirst({ where: { id: payload.materialId, tenantId: payload.tenantId } });
    if (!m) throw new UnrecoverableError('Material no longer exists');
    const stage = metrics().ingestStage;
    const dir = await mkdtemp(join(tmpdir(), 'cs-ingest-'));
    try {
      let source: FetchedSource;
      let done = stage.startTimer({ stage: 'fetch' });
      if (m.s3Key) {
        source = await fetchObject(deps.s3, config.S3_BUCKET, m.s3Key, dir, config.MAX_UPLOAD_BYTES);
      } else if (m.sourceUrl && m.sourceType === 'web') {
        source = await fetchWebPage(m.sourceUrl, dir, {
          allowPrivate: config.ALLOW_PRIVATE_TARGETS,
          maxBytes: config.WEB_FETCH_MAX_BYTES,
          timeoutMs: config.WEB_FETCH_TIMEOUT_MS,
          maxRedirects: config.WEB_FETCH_MAX_REDIRECTS,
        });
      } else {
        throw new UnrecoverableError(
          'Video links cannot be downloaded for transcription: upload the video file or its subtitles (.vtt/.srt)',
        );
      }
      done();
      await ctx.progress(20);

      let doc;
      done = stage.startTimer({ stage: 'extract' });
      try {
        doc = await extractInSubprocess(source.path, {
          filename: m.filename ?? (m.sourceType === 'web' ? 'page.html' : 'source'),
          sourceType: m.sourceType === 'web' ? 'web' : 'file',
          ...(source.charset ? { charset: source.charset } : {}),
          timeoutMs: config.EXTRACTION_TIMEOUT_MS,
          video: { transcriber: deps.transcriberFor(m.tenantId, ctx.jobId), tmpDir: dir, maxAudioBytes: config.TRANSCRIPTION_MAX_FILE_BYTES },
        });
      } catch (err) {
        if (isInputError(err)) throw new UnrecoverableError(err.message);
        throw err;
      }
      done();
      if (await ctx.isCancelled()) return cancelled();
      await ctx.progress(60);

      done = stage.startTimer({ stage: 'chunk' });
      const textSearchConfig = detectTextSearchConfig(
        doc.blocks.filter((b) => !b.metadata.code).map((b) => b.text).join('\n'),
      );
      const chunks = chunkDocument(doc, { targetTokens: config.CHUNK_TARGET_TOKENS, overlapTokens: config.CHUNK_OVERLAP_TOKENS });
      done();
      done = stage.startTimer({ stage: 'insert' });
      await prisma.$transaction(
        async (tx) => {
          await tx.chunk.deleteMany({ where: { materialId: m.id } });
          // Before the chunks: their full-text vectors are made with it (trigger material_chunks_fts).
          await tx.material.update({ where: { id: m.id }, data: { textSearchConfig } });
          for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
            await tx.chunk.createMany({
              data: chunks.slice(i, i + INSERT_BATCH).map((c) => ({
                id: newId(),
                tenantId: m.tenantId,
                materialId: m.id,
                nodeId: m.nodeId,
                ordinal: c.index,
                kind: c.type,
                text: c.text,
                tokenCount: c.token_count,
                metadata: c.metadata as object,
                contentSha256: c.sha256,
              })),
            });
          }
          // Ready only once every chunk is embedded: the embed job (same transaction) finishes the material.
          const embed = await enqueue(
            tx,
            { prefix: config.BULLMQ_PREFIX },
            m.tenantId,
            jobs.embedMaterial,
            { tenantId: m.tenantId, materialId: m.id },
            { nodeId: m.nodeId, subjectId: m.id, dependsOn: [ctx.jobId] },
          );
          await tx.material.update({
            where: { id: m.id },
            data: {
              document: { title: doc.title, format: doc.format, stats: { ...doc.stats } },
              chunkCount: chunks.length,
              sha256: m.sha256 ?? source.sha256,
              sizeBytes: m.sizeBytes ?? BigInt(source.sizeBytes),
              state: 'pending',
              errorMessage: null,
              jobId: embed.id,
            },
          });
        },
        { timeout: 120_000 },
      );
      done();
      return { chunks: chunks.length };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
