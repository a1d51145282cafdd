export { builtinTemplatesDir } from "./builtin-templates-dir.js";
export { canonicalHash, canonicalJson, entryHash } from "./canonical-hash.js";
export { checkArtifactSchema } from "./check-artifact-schema.js";
export { checkReferences } from "./check-references.js";
export { checkWorkflow } from "./check-workflow.js";
export { didYouMean } from "./closest-match.js";
export { createAjv } from "./create-ajv.js";
export { jsonPath } from "./json-path.js";
export { type LoadRegistryOptions, loadRegistry } from "./load-registry.js";
export { parseArtifactSchemaFile } from "./parse-artifact-schema-file.js";
export { parsePersonaFile } from "./parse-persona-file.js";
export { formatReference, parseReference } from "./parse-reference.js";
export { parseWorkflowFile } from "./parse-workflow-file.js";
export type {
  AnyRegistryEntry,
  ArtifactSchemaEntry,
  JsonSchemaObject,
  PersonaEntry,
  Registry,
  RegistryEntry,
  RegistryKind,
  WorkflowEntry,
} from "./registry.js";
export {
  PERSONA_REFERENCE,
  type PersonaDefinition,
  personaFileSchema,
  SCHEMA_REFERENCE,
  type WorkflowDefinition,
  type WorkflowFile,
  type WorkflowGate,
  type WorkflowPhase,
  type WorkflowRevision,
  type WorkflowRole,
  workflowFileSchema,
} from "./registry-files.js";
export {
  formatProblem,
  type RegistryProblem,
  type RegistryProblemCode,
  registryError,
} from "./registry-problem.js";
export { type StoreRegistryOptions, type StoreRegistryResult, storeRegistry } from "./store-registry.js";
