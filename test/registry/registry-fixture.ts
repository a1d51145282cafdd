// Temp-dir copies of the built-in registry with one change each, for tests of malformed files.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { parse, stringify } from "yaml";
import { type ErrorCode, isDevflowError } from "../../src/errors/index.js";
import { builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";

// biome-ignore lint/suspicious/noExplicitAny: fixtures edit parsed YAML/JSON freely, as a person editing the file would.
export type Json = any;

export interface RegistryFixture {
  readonly dir: string;
  /** Replaces `search` (which must occur) in a file's text. */
  replaceText(file: string, search: string | RegExp, replacement: string): Promise<void>;
  /** Parses a YAML or JSON file, lets `edit` change it, and writes it back in the same format. */
  edit(file: string, edit: (data: Json) => void): Promise<void>;
  write(file: string, text: string): Promise<void>;
  read(file: string): Promise<string>;
  remove(file: string): Promise<void>;
}

const created: string[] = [];

/** A copy of the built-in registry in a fresh temp dir. */
export async function copyBuiltinRegistry(): Promise<RegistryFixture> {
  const dir = await mkdtemp(join(tmpdir(), "devflow-registry-"));
  created.push(dir);
  await cp(builtinTemplatesDir(), dir, { recursive: true });
  const path = (file: string) => join(dir, file);
  const fixture: RegistryFixture = {
    dir,
    read: (file) => readFile(path(file), "utf8"),
    async write(file, text) {
      await mkdir(dirname(path(file)), { recursive: true });
      await writeFile(path(file), text);
    },
    async replaceText(file, search, replacement) {
      const text = await fixture.read(file);
      const changed = text.replace(search, replacement);
      if (changed === text) throw new Error(`fixture: ${String(search)} not found in ${file}`);
      await fixture.write(file, changed);
    },
    async edit(file, edit) {
      const json = file.endsWith(".json");
      const data = json ? JSON.parse(await fixture.read(file)) : parse(await fixture.read(file));
      edit(data);
      await fixture.write(file, json ? JSON.stringify(data, null, 2) : stringify(data));
    },
    remove: (file) => rm(path(file)),
  };
  return fixture;
}

export async function removeFixtures(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Loads `dir`, expects a DevflowError with `code`, and returns its message. */
export async function loadError(dir: string, code: ErrorCode): Promise<string> {
  const error = await loadRegistry(dir).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isDevflowError(error), `expected loadRegistry to throw a DevflowError, got ${String(error)}`).toBe(
    true,
  );
  if (!isDevflowError(error)) throw error;
  expect(error.code).toBe(code);
  return error.message;
}
