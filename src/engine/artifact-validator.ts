import { createHash } from "node:crypto";
import { lstat } from "node:fs/promises";
import { dirname } from "node:path";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { DEFAULT_INPUT_LIMITS } from "../config/index.js";
import { DevflowError, type ErrorCode } from "../errors/index.js";
import {
  type ArtifactSchemaEntry,
  canonicalHash,
  createAjv,
  type JsonSchemaObject,
} from "../registry/index.js";
import { describeError } from "./artifact-problems.js";
import { FileRefusal, type RefusalKind, readContainedFile } from "./contained-file.js";

/** A registry entry (compiled once per entry hash) or a bare JSON Schema (once per content hash). */
export type ArtifactSchema = ArtifactSchemaEntry | JsonSchemaObject;

export type ArtifactValidation =
  | { readonly ok: true; readonly value: unknown; readonly sha256: string }
  | { readonly ok: false; readonly problems: string[]; readonly sha256?: string };

/** Where an artifact may be, and how large: the engine gives both; the defaults suit tests. */
export interface ArtifactFileOptions {
  /** A directory devflow made (its workspace root): nothing below it on the artifact's path may be a link. */
  readonly root?: string;
  /** Default DEFAULT_INPUT_LIMITS.artifactBytes. */
  readonly maxBytes?: number;
}

export interface WaitForArtifactOptions extends ArtifactFileOptions {
  readonly path: string;
  readonly schema: ArtifactSchema;
  readonly timeoutMs: number;
  /** How often to look at the file (default 250 ms); it is judged once unchanged over two looks. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

export type ArtifactWaitResult =
  | { readonly status: "valid"; readonly value: unknown; readonly sha256: string }
  | { readonly status: "invalid"; readonly problems: string[]; readonly sha256: string }
  | { readonly status: "timeout" }
  | { readonly status: "aborted" }
  /** The file was not read: a link, not a regular file, or too large (the error's code says which). */
  | { readonly status: "refused"; readonly error: DevflowError };

/**
 * Reads the artifact at `filePath` and checks it against its schema. Every problem is one line a person
 * (or the agent, when re-prompted) can act on: where, what was expected, what was found —
 * `$.verdict: must be one of approve, request_changes, found "lgtm"`. `sha256` is of the file's bytes.
 * A file that must not be read (a link, not a regular file, over the size cap) throws a DevflowError
 * (`artifact_linked`, `artifact_not_regular_file`, `artifact_too_large`) without a byte of it read.
 */
export async function validateArtifact(
  filePath: string,
  schema: ArtifactSchema,
  options: ArtifactFileOptions = {},
): Promise<ArtifactValidation> {
  const validate = compiledSchema(schema);
  let bytes: Buffer | undefined;
  try {
    bytes = await readArtifact(filePath, options);
  } catch (error) {
    if (error instanceof DevflowError) throw error;
    return { ok: false, problems: [unreadable(filePath, error)] };
  }
  if (bytes === undefined) return { ok: false, problems: [unreadable(filePath, { code: "ENOENT" })] };
  return judge(bytes, validate);
}

const REFUSAL_CODES: Record<RefusalKind, ErrorCode> = {
  linked: "artifact_linked",
  not_regular: "artifact_not_regular_file",
  too_large: "artifact_too_large",
};

/** The artifact's bytes (undefined while there is no file), or a DevflowError saying why it was not read. */
async function readArtifact(filePath: string, options: ArtifactFileOptions): Promise<Buffer | undefined> {
  const maxBytes = options.maxBytes ?? DEFAULT_INPUT_LIMITS.artifactBytes;
  try {
    return await readContainedFile(filePath, { root: options.root ?? dirname(filePath), maxBytes });
  } catch (error) {
    if (!(error instanceof FileRefusal)) throw error;
    const limit = error.kind === "too_large" ? " (limits.artifactBytes)" : "";
    throw new DevflowError(`The artifact was not read: ${error.message}${limit}.`, {
      code: REFUSAL_CODES[error.kind],
      details: { path: filePath, ...(error.kind === "too_large" ? { maxBytes } : {}) },
    });
  }
}

/**
 * Waits until the artifact file exists and has stopped changing (same size, mtime and inode on two
 * consecutive looks `pollMs` apart, so a file still being written is not judged), then validates it
 * once. Resolves `timeout` after `timeoutMs`, or `aborted` as soon as `signal` aborts.
 */
export async function waitForArtifact(options: WaitForArtifactOptions): Promise<ArtifactWaitResult> {
  const { path, timeoutMs, pollMs = 250, signal } = options;
  const validate = compiledSchema(options.schema);
  const deadline = Date.now() + timeoutMs;
  let previous: string | undefined;
  const maxBytes = options.maxBytes ?? DEFAULT_INPUT_LIMITS.artifactBytes;
  while (!isAborted(signal)) {
    const seen = await fileSignature(path);
    // Refused at the first look: anything but a plain file, or one already over the cap.
    const refusable = seen !== undefined && (seen.kind === "other" || seen.size > maxBytes);
    if (seen !== undefined && (refusable || seen.key === previous)) {
      let bytes: Buffer | undefined;
      try {
        bytes = await readArtifact(path, options);
      } catch (error) {
        if (error instanceof DevflowError) return { status: "refused", error };
        bytes = undefined; // unreadable for now (e.g. replaced mid-look): look again
      }
      // Judge only what was read while the file kept the signature it had on both looks.
      if (bytes !== undefined && (await fileSignature(path))?.key === seen.key && !isAborted(signal)) {
        const result = judge(bytes, validate);
        return result.ok
          ? { status: "valid", value: result.value, sha256: result.sha256 }
          : { status: "invalid", problems: result.problems, sha256: result.sha256 };
      }
    }
    previous = seen?.key;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { status: "timeout" };
    await sleep(Math.min(pollMs, remaining), signal);
  }
  return { status: "aborted" };
}

type Judged = Extract<ArtifactValidation, { ok: true }> | { ok: false; problems: string[]; sha256: string };

function judge(bytes: Buffer, validate: CompiledSchema): Judged {
  const hash = sha256(bytes);
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "")
    return { ok: false, problems: ["the file is empty: write the artifact as JSON"], sha256: hash };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = excerpt((error as Error).message, 120);
    return { ok: false, problems: [`the file is not valid JSON: ${why}`], sha256: hash };
  }
  if (validate.fn(value)) return { ok: true, value, sha256: hash };
  const errors = validate.fn.errors ?? [];
  const specific = errors.filter((error) => !COMBINATORS.has(error.keyword));
  const problems = (specific.length > 0 ? specific : errors).map((error) =>
    describeError(error, value, validate.schema),
  );
  return { ok: false, problems: boundedProblems([...new Set(problems)]), sha256: hash };
}

// Problems go back to the agent, into run events, failure reasons and the report: each quotes at most
// a short excerpt of the artifact, and there are never more than a screenful.
/** Keywords whose own error only repeats what their branches said: left out of the problems. */
const COMBINATORS = new Set(["anyOf", "oneOf", "allOf", "if", "not"]);
const MAX_PROBLEMS = 20;
const MAX_PROBLEM_CHARS = 300;

function boundedProblems(problems: string[]): string[] {
  const shown = problems.slice(0, MAX_PROBLEMS).map((problem) => excerpt(problem, MAX_PROBLEM_CHARS));
  const more = problems.length - shown.length;
  return more > 0 ? [...shown, `… and ${more} more problem${more === 1 ? "" : "s"}`] : shown;
}

function excerpt(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function unreadable(filePath: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `no file at ${filePath}: write the artifact there as JSON`;
  if (code === "EISDIR") return `${filePath} is a directory: write the artifact there as a JSON file`;
  return `cannot read ${filePath}: ${(error as Error).message}`;
}

// ---------------------------------------------------------------- compiling, once per schema

interface CompiledSchema {
  readonly schema: JsonSchemaObject;
  readonly fn: ValidateFunction;
}

const MAX_CACHED = 100;
const compiled = new Map<string, CompiledSchema>();

function compiledSchema(input: ArtifactSchema): CompiledSchema {
  const entry = isEntry(input) ? input : undefined;
  const schema: JsonSchemaObject = isEntry(input) ? input.definition : input;
  const key = entry?.hash ?? canonicalHash(schema);
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  // An ajv of its own per schema: two versions of a schema may share an `$id`, which one ajv refuses.
  let fn: ValidateFunction;
  try {
    fn = createAjv().compile(schema);
  } catch (error) {
    const name = entry?.ref ?? (typeof schema.$id === "string" ? schema.$id : "an artifact schema");
    throw new DevflowError(`Cannot compile ${name}: ${(error as Error).message}`, {
      code: "artifact_schema_unusable",
      cause: error,
      details: { schema: name, file: entry?.file },
    });
  }
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  const result = { schema, fn };
  compiled.set(key, result);
  return result;
}

function isEntry(input: ArtifactSchema): input is ArtifactSchemaEntry {
  return input.kind === "artifact-schema" && typeof input.hash === "string" && "definition" in input;
}

// ---------------------------------------------------------------- files and time

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * What is at `path` itself (a link is not followed): a regular file's size, mtime and inode as `key`,
 * `other` for anything else, undefined while there is nothing.
 */
async function fileSignature(
  path: string,
): Promise<{ kind: "file" | "other"; key: string; size: number } | undefined> {
  const stats = await lstat(path, { bigint: true }).catch(() => undefined);
  if (stats === undefined) return undefined;
  const key = `${stats.size}:${stats.mtimeNs}:${stats.ino}`;
  return { kind: stats.isFile() ? "file" : "other", key, size: Number(stats.size) };
}

// A function, so that TypeScript does not narrow `signal.aborted` across awaits.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Resolves after `ms`, or as soon as `signal` aborts; leaves no timer or listener behind. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (isAborted(signal)) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
