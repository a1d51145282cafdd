import type { PersonaDefinition, WorkflowDefinition } from "./registry-files.js";

export type RegistryKind = "workflow" | "persona" | "artifact-schema";

/** A JSON Schema (draft 2020-12) document describing an artifact. */
export type JsonSchemaObject = Record<string, unknown>;

/** One loaded, validated file of the registry. */
export interface RegistryEntry<K extends RegistryKind, D> {
  readonly kind: K;
  readonly name: string;
  readonly version: number;
  /** `name@version`. */
  readonly ref: string;
  /** Path of the file relative to the registry directory, with `/` separators. */
  readonly file: string;
  /** sha256 of the canonical JSON of kind, name, version and definition. */
  readonly hash: string;
  readonly definition: D;
}

export type WorkflowEntry = RegistryEntry<"workflow", WorkflowDefinition>;
export type PersonaEntry = RegistryEntry<"persona", PersonaDefinition>;
export type ArtifactSchemaEntry = RegistryEntry<"artifact-schema", JsonSchemaObject>;
export type AnyRegistryEntry = WorkflowEntry | PersonaEntry | ArtifactSchemaEntry;

/** Workflow templates, personas and artifact schemas loaded from one directory, keyed by `name@version`. */
export interface Registry {
  /** Absolute path of the directory the registry was loaded from. */
  readonly dir: string;
  readonly workflows: ReadonlyMap<string, WorkflowEntry>;
  readonly personas: ReadonlyMap<string, PersonaEntry>;
  readonly schemas: ReadonlyMap<string, ArtifactSchemaEntry>;
}
