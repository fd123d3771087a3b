// Opens Prisma's schema engine (the published WebAssembly build) over the pg driver adapter, so migrations
// need no downloaded native binary. The package imports its .wasm as an ES module, which Node 24 does
// without a flag (the entry points still pass `--experimental-wasm-modules`, harmless there, and silence its
// ExperimentalWarning). The import is dynamic so that merely importing this module never loads the engine.
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as SchemaEngineWasm from '@prisma/schema-engine-wasm';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type { PoolConfig } from 'pg';
import { AppError } from '../../errors/index.js';
import { MigrationAdapterFactory } from './adapter-factory.js';

export interface SchemaFile {
  path: string;
  content: string;
}

export interface OpenEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes every pool it opened. */
  close(): Promise<void>;
}

type WasmModule = typeof SchemaEngineWasm;

let wasm: Promise<WasmModule> | undefined;

function loadWasm(): Promise<WasmModule> {
  wasm ??= import('@prisma/schema-engine-wasm').catch((err: unknown) => {
    wasm = undefined;
    const reason = err instanceof Error ? err.message : String(err);
    throw new AppError(
      'internal_error',
      `Cannot load @prisma/schema-engine-wasm (${reason}). This project runs on Node 24 (README → Quick start).`,
    );
  });
  return wasm;
}

export async function openSchemaEngine(opts: {
  connection: PoolConfig;
  /** The Prisma schema the engine starts with (needed by createMigration / diff against the schema). */
  schema?: SchemaFile;
  /** Receives the engine's JSON log lines (tracing output). */
  onLog?: (line: string) => void;
}): Promise<OpenEngine> {
  const { SchemaEngine } = await loadWasm();
  const factory = new MigrationAdapterFactory(opts.connection);
  const datamodels: [string, string][] | undefined = opts.schema
    ? [[path.resolve(opts.schema.path), opts.schema.content]]
    : undefined;
  const log = (line: unknown) => opts.onLog?.(String(line));
  let engine: SchemaEngine;
  try {
    engine = await SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(factory));
  } catch (err) {
    await factory.close();
    throw err;
  }
  let closed = false;
  return {
    engine,
    async close() {
      if (closed) return;
      closed = true;
      try {
        engine.free();
      } finally {
        await factory.close();
      }
    },
  };
}

/**
 * The first lines of a schema-engine error, without the Rust span trace ("   0: sql_schema_connector::…").
 * Engine errors are plain Errors whose message holds the user-facing text followed by that trace.
 */
export function engineErrorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s+\d+: /.test(line)) break;
    if (line.trim() === 'external connector error') continue; // PrismaPg's wrapper line says nothing
    lines.push(line);
  }
  return lines.join('\n').trim() || text.trim();
}

/** The migration an engine error happened in, from its span trace (`with migration_name="…"`). */
export function engineErrorMigration(err: unknown): string | undefined {
  const text = err instanceof Error ? err.message : String(err);
  return /migration_name="([^"]+)"/.exec(text)?.[1];
}
