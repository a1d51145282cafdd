import { createHash } from "node:crypto";
import { appendFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateArtifact, waitForArtifact } from "../../src/engine/artifact-validator.js";
import { isDevflowError } from "../../src/errors/index.js";
import { type ArtifactSchemaEntry, builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";

let root: string;
let schemas: ReadonlyMap<string, ArtifactSchemaEntry>;
let fileCount = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "devflow-artifacts-"));
  schemas = (await loadRegistry(builtinTemplatesDir())).schemas;
});
afterAll(() => rm(root, { recursive: true, force: true }));

function schema(ref: string): ArtifactSchemaEntry {
  const entry = schemas.get(ref);
  if (entry === undefined) throw new Error(`no schema ${ref} in templates/`);
  return entry;
}

/** A fresh path under the test directory, written with `content` unless it is undefined. */
async function artifactFile(content?: string): Promise<string> {
  const path = join(root, `artifact-${++fileCount}.json`);
  if (content !== undefined) await writeFile(path, content);
  return path;
}

const review = { verdict: "approve", summary: "Meets the spec.", findings: [] };
const spec = {
  summary: "Add a flag.",
  requirements: ["The flag exists."],
  acceptanceCriteria: ["A test sets the flag."],
  plan: ["Edit src/flag.ts."],
  risks: [],
  openQuestions: [],
};

describe("validateArtifact", () => {
  it("accepts a valid artifact and gives its value and the sha256 of the file's bytes", async () => {
    const text = `${JSON.stringify(review, null, 2)}\n`;
    const path = await artifactFile(text);
    const result = await validateArtifact(path, schema("dev/review@1"));
    expect(result).toEqual({
      ok: true,
      value: review,
      sha256: createHash("sha256").update(text).digest("hex"),
    });
  });

  it.each([
    [
      "a missing required property",
      "dev/review@1",
      { verdict: "approve", findings: [] },
      ['$: missing required property "summary"'],
    ],
    [
      "a value of the wrong type",
      "dev/spec@1",
      { ...spec, requirements: "x" },
      ['$.requirements: expected an array, found "x"'],
    ],
    [
      "a value outside an enum",
      "dev/review@1",
      { ...review, verdict: "lgtm" },
      ['$.verdict: must be one of approve, request_changes, found "lgtm"'],
    ],
    [
      "a property the schema does not allow",
      "dev/review@1",
      { ...review, score: 5 },
      ['$: unexpected property "score" (allowed: verdict, summary, findings)'],
    ],
    [
      "an empty list where one item is needed, and an empty string",
      "dev/spec@1",
      {
        ...spec,
        summary: "",
        plan: [],
      },
      ["$.summary: must not be empty", "$.plan: must list at least one item, found an empty array"],
    ],
    [
      "problems inside array items, with the schema's description of a pattern",
      "dev/implementation@1",
      {
        summary: "Done.",
        changes: [{ path: "/etc/passwd" }],
        testsRun: [{ command: "npm test", outcome: "ok" }],
      },
      [
        '$.changes[0]: missing required property "description"',
        '$.changes[0].path: must match the pattern ^[^/] (Path relative to the repository root), found "/etc/passwd"',
        '$.testsRun[0].outcome: must be one of passed, failed, found "ok"',
      ],
    ],
    [
      "an array where an object is expected",
      "dev/review@1",
      [],
      ["$: expected an object, found an empty array"],
    ],
  ])("reports %s with its path, what is allowed and what was found", async (_case, ref, value, problems) => {
    const path = await artifactFile(JSON.stringify(value));
    const result = await validateArtifact(path, schema(ref));
    expect(result).toMatchObject({ ok: false, problems, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it.each([
    ["text that is not JSON", '{"verdict": }', /^the file is not valid JSON: Unexpected token/],
    ["an empty file", "  \n", /^the file is empty: write the artifact as JSON$/],
  ])("reports %s", async (_case, content, problem) => {
    const result = await validateArtifact(await artifactFile(content), schema("dev/review@1"));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([expect.stringMatching(problem)]);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("says where the artifact should have been written when the file is missing", async () => {
    const path = await artifactFile();
    await expect(validateArtifact(path, schema("dev/review@1"))).resolves.toEqual({
      ok: false,
      problems: [`no file at ${path}: write the artifact there as JSON`],
    });
  });

  it("refuses a directory where the artifact file should be with artifact_not_regular_file", async () => {
    const path = await artifactFile();
    await mkdir(path);
    const error = await validateArtifact(path, schema("dev/review@1")).catch((caught: unknown) => caught);
    expect(isDevflowError(error, "artifact_not_regular_file")).toBe(true);
  });

  it("refuses a link to a file of secrets with artifact_linked, quoting none of it", async () => {
    const secrets = await artifactFile(JSON.stringify({ verdict: "canary-secret-value" }));
    const path = await artifactFile();
    await symlink(secrets, path);
    const error = await validateArtifact(path, schema("dev/review@1")).catch((caught: unknown) => caught);
    expect(isDevflowError(error, "artifact_linked")).toBe(true);
    expect(String((error as Error).message)).not.toContain("canary-secret-value");
  });

  it("refuses a file over the size cap with artifact_too_large", async () => {
    const path = await artifactFile(JSON.stringify({ ...review, summary: "x".repeat(2_000) }));
    const error = await validateArtifact(path, schema("dev/review@1"), { maxBytes: 1_024 }).catch(
      (caught: unknown) => caught,
    );
    expect(isDevflowError(error, "artifact_too_large")).toBe(true);
  });

  it("quotes at most a short excerpt of the artifact, in at most 20 problems and one line saying how many more", async () => {
    const keys = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}${"y".repeat(500)}`, 1]));
    const path = await artifactFile(JSON.stringify({ ...review, verdict: "z".repeat(10_000), ...keys }));
    const result = await validateArtifact(path, schema("dev/review@1"));
    if (result.ok) throw new Error("expected problems");
    expect(result.problems).toHaveLength(21);
    expect(result.problems.at(-1)).toMatch(/^… and \d+ more problems$/);
    for (const problem of result.problems) expect(problem.length).toBeLessThanOrEqual(301);
    const notJson = await validateArtifact(
      await artifactFile(`x${"s".repeat(10_000)}`),
      schema("dev/review@1"),
    );
    expect(notJson.ok === false && notJson.problems[0]?.length).toBeLessThan(200);
  });

  it("takes a bare JSON Schema as well as a registry entry", async () => {
    const bare = { type: "object", required: ["answer"], properties: { answer: { type: "integer" } } };
    const path = await artifactFile('{"answer": "42"}');
    await expect(validateArtifact(path, bare)).resolves.toMatchObject({
      ok: false,
      problems: ['$.answer: expected an integer, found "42"'],
    });
  });

  it("keeps two different schemas that share an $id apart", async () => {
    const id = "https://example.test/thing";
    const v1 = { $id: id, type: "object", required: ["a"], properties: { a: {} } };
    const v2 = { $id: id, type: "object", required: ["b"], properties: { b: {} } };
    const path = await artifactFile('{"a": 1}');
    await expect(validateArtifact(path, v1)).resolves.toMatchObject({ ok: true });
    await expect(validateArtifact(path, v2)).resolves.toMatchObject({
      ok: false,
      problems: ['$: missing required property "b"'],
    });
    await expect(validateArtifact(path, v1)).resolves.toMatchObject({ ok: true });
  });

  it("refuses a schema that cannot be compiled with artifact_schema_unusable", async () => {
    const path = await artifactFile("{}");
    const error = await validateArtifact(path, { type: "object", properties: { a: { type: "nope" } } }).catch(
      (caught: unknown) => caught,
    );
    expect(isDevflowError(error, "artifact_schema_unusable")).toBe(true);
  });
});

describe("waitForArtifact", () => {
  it("waits for an artifact written later and validates it", async () => {
    const path = await artifactFile();
    const started = Date.now();
    setTimeout(() => void writeFile(path, JSON.stringify(review)), 150);
    const result = await waitForArtifact({
      path,
      schema: schema("dev/review@1"),
      timeoutMs: 5_000,
      pollMs: 20,
    });
    expect(result).toMatchObject({ status: "valid", value: review });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("judges a half-written file only once it is complete", async () => {
    const text = JSON.stringify(review);
    const path = await artifactFile(text.slice(0, 20));
    await expect(validateArtifact(path, schema("dev/review@1"))).resolves.toMatchObject({ ok: false });
    setTimeout(() => void appendFile(path, text.slice(20)), 40);
    const result = await waitForArtifact({
      path,
      schema: schema("dev/review@1"),
      timeoutMs: 5_000,
      pollMs: 200,
    });
    expect(result).toMatchObject({ status: "valid", value: review });
    expect(result.status === "valid" && result.sha256).toBe(createHash("sha256").update(text).digest("hex"));
  });

  it("returns the problems of a complete but invalid artifact, with its sha256", async () => {
    const path = await artifactFile(JSON.stringify({ ...review, verdict: "lgtm" }));
    const result = await waitForArtifact({
      path,
      schema: schema("dev/review@1"),
      timeoutMs: 5_000,
      pollMs: 20,
    });
    expect(result).toEqual({
      status: "invalid",
      problems: ['$.verdict: must be one of approve, request_changes, found "lgtm"'],
      sha256: createHash("sha256")
        .update(await readFile(path))
        .digest("hex"),
    });
  });

  it("times out when no artifact appears", async () => {
    const started = Date.now();
    const result = await waitForArtifact({
      path: await artifactFile(),
      schema: schema("dev/review@1"),
      timeoutMs: 150,
      pollMs: 20,
    });
    expect(result).toEqual({ status: "timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("stops waiting as soon as its signal aborts", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const result = await waitForArtifact({
      path: await artifactFile(),
      schema: schema("dev/review@1"),
      timeoutMs: 60_000,
      pollMs: 10_000,
      signal: controller.signal,
    });
    expect(result).toEqual({ status: "aborted" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("does not look at the file when its signal has already aborted", async () => {
    const path = await artifactFile(JSON.stringify(review));
    const result = await waitForArtifact({
      path,
      schema: schema("dev/review@1"),
      timeoutMs: 60_000,
      signal: AbortSignal.abort(),
    });
    expect(result).toEqual({ status: "aborted" });
  });
});
