import type { Prisma, PrismaClient } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import type { AnyRegistryEntry, Registry } from "./registry.js";
import { type RegistryProblem, registryError } from "./registry-problem.js";

export interface StoreRegistryOptions {
  /**
   * Where the registry comes from: `builtin` for devflow's own templates, `repo:<owner>/<name>` for a
   * repository's. Each row's `source` is `<source>:<file>`, e.g. `builtin:workflows/development.yaml`.
   */
  source: string;
}

export interface StoreRegistryResult {
  /** Rows written by this call, per kind; 0 everywhere when everything was stored already. */
  inserted: { workflows: number; personas: number; schemas: number };
}

interface StoredRow {
  name: string;
  version: number;
  hash: string;
  source: string;
}

interface Table {
  insert(entries: readonly AnyRegistryEntry[], source: string): Promise<number>;
  find(entries: readonly AnyRegistryEntry[]): Promise<StoredRow[]>;
  maxVersion(name: string): Promise<number>;
}

const SELECT = { name: true, version: true, hash: true, source: true } as const;

/**
 * Stores every entry of `registry` that is not stored yet, in one transaction. A name@version that is
 * already stored must have the same hash: a published version never changes. If any differs, nothing
 * is written and a `registry_version_conflict` error names each file and tells to bump its version.
 * Safe to run from several processes at once: each inserts what is missing and then compares.
 */
export async function storeRegistry(
  prisma: PrismaClient,
  registry: Registry,
  options: StoreRegistryOptions,
): Promise<StoreRegistryResult> {
  return prisma.$transaction(async (tx) => {
    const conflicts: RegistryProblem[] = [];
    const store = async (table: Table, map: ReadonlyMap<string, AnyRegistryEntry>): Promise<number> => {
      const entries = [...map.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
      if (entries.length === 0) return 0;
      const inserted = await table.insert(entries, options.source);
      const stored = new Map((await table.find(entries)).map((row) => [`${row.name}@${row.version}`, row]));
      for (const entry of entries) {
        const row = stored.get(entry.ref);
        if (row === undefined) {
          throw new DevflowError(`${entry.ref} from ${entry.file} was inserted but cannot be read back`, {
            code: "internal_error",
          });
        }
        if (row.hash !== entry.hash) {
          const next = (await table.maxVersion(entry.name)) + 1;
          conflicts.push({
            file: entry.file,
            message:
              `${entry.ref} is already stored (from ${row.source}) with different content ` +
              `(stored hash ${row.hash.slice(0, 12)}, file hash ${entry.hash.slice(0, 12)}); ` +
              `a stored version never changes: bump the version (${bumpHint(entry, next)}) or undo the change`,
          });
        }
      }
      return inserted;
    };

    const inserted = {
      workflows: await store(workflowTable(tx), registry.workflows),
      personas: await store(personaTable(tx), registry.personas),
      schemas: await store(schemaTable(tx), registry.schemas),
    };
    if (conflicts.length > 0) throw registryError("registry_version_conflict", registry.dir, conflicts);
    return { inserted };
  });
}

function bumpHint(entry: AnyRegistryEntry, next: number): string {
  return entry.kind === "artifact-schema"
    ? `rename it to schemas/${entry.name}@${next}.json and refer to ${entry.name}@${next}`
    : `set "version: ${next}" in it`;
}

function keys(entries: readonly AnyRegistryEntry[]) {
  return { OR: entries.map(({ name, version }) => ({ name, version })) };
}

function json(value: unknown): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}

function workflowTable(tx: Prisma.TransactionClient): Table {
  return {
    insert: async (entries, source) =>
      (
        await tx.workflowTemplate.createMany({
          data: entries.map((e) => ({ ...row(e, source), definition: json(e.definition) })),
          skipDuplicates: true,
        })
      ).count,
    find: (entries) => tx.workflowTemplate.findMany({ where: keys(entries), select: SELECT }),
    maxVersion: async (name) =>
      (await tx.workflowTemplate.aggregate({ where: { name }, _max: { version: true } }))._max.version ?? 0,
  };
}

function personaTable(tx: Prisma.TransactionClient): Table {
  return {
    insert: async (entries, source) =>
      (
        await tx.agentPersona.createMany({
          data: entries.map((e) => ({ ...row(e, source), definition: json(e.definition) })),
          skipDuplicates: true,
        })
      ).count,
    find: (entries) => tx.agentPersona.findMany({ where: keys(entries), select: SELECT }),
    maxVersion: async (name) =>
      (await tx.agentPersona.aggregate({ where: { name }, _max: { version: true } }))._max.version ?? 0,
  };
}

function schemaTable(tx: Prisma.TransactionClient): Table {
  return {
    insert: async (entries, source) =>
      (
        await tx.artifactSchema.createMany({
          data: entries.map((e) => ({ ...row(e, source), schema: json(e.definition) })),
          skipDuplicates: true,
        })
      ).count,
    find: (entries) => tx.artifactSchema.findMany({ where: keys(entries), select: SELECT }),
    maxVersion: async (name) =>
      (await tx.artifactSchema.aggregate({ where: { name }, _max: { version: true } }))._max.version ?? 0,
  };
}

function row(entry: AnyRegistryEntry, source: string) {
  return { name: entry.name, version: entry.version, hash: entry.hash, source: `${source}:${entry.file}` };
}
