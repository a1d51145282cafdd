// Loads Prisma's schema engine compiled to WebAssembly, so migrations run with no native binary and
// no download (Prisma's CLI fetches a native engine at run time, which fails offline).
// The package's main entry imports a .wasm file, which Node's ESM loader rejects; we load the
// JS glue (`schema_engine_bg`) and instantiate the .wasm beside it ourselves.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { MigrationAdapterFactory } from "./migration-adapter.js";

export type SchemaEngine = bg.SchemaEngine;

let initialized: Promise<void> | undefined;

// @types/node declares WebAssembly's types but not the global value; this is that value, typed.
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

/**
 * The engine's .wasm: beside this module in the GitHub Action's bundle (action/dist, which has no
 * node_modules), else in the package (its exports map does not expose the .wasm, so beside the glue).
 */
function wasmPath(): string {
  const beside = fileURLToPath(new URL("./schema_engine_bg.wasm", import.meta.url));
  if (existsSync(beside)) return beside;
  const glue = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  return glue.replace(/\.js$/, ".wasm");
}

function initializeWasm(): Promise<void> {
  initialized ??= (async () => {
    const bytes = await readFile(wasmPath());
    const { instance } = await wasmApi.instantiate(bytes, { "./schema_engine_bg.js": bg });
    const exports = instance.exports as { __wbindgen_start(): void };
    bg.__wbg_set_wasm(instance.exports);
    exports.__wbindgen_start();
  })();
  return initialized;
}

export interface OpenSchemaEngineOptions {
  connectionString: string;
  /** Prisma schema files for commands that need a datamodel. */
  datamodels?: [path: string, content: string][];
  log?: (line: string) => void;
}

export interface OpenSchemaEngine {
  readonly engine: SchemaEngine;
  /** Frees the engine and ends its database connections. */
  close(): Promise<void>;
}

/** Opens a schema engine connected to `connectionString`. Call `close()` when done. */
export async function openSchemaEngine(options: OpenSchemaEngineOptions): Promise<OpenSchemaEngine> {
  await initializeWasm();
  const factory = new MigrationAdapterFactory(options.connectionString);
  const log = options.log ?? (() => {});
  try {
    const engine = await bg.SchemaEngine.new(
      { datamodels: options.datamodels },
      log,
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return {
      engine,
      async close() {
        engine.free();
        await factory.close();
      },
    };
  } catch (error) {
    await factory.close();
    throw error;
  }
}
