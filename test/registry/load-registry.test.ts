import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isDevflowError } from "../../src/errors/index.js";
import { builtinTemplatesDir, checkReferences, createAjv, loadRegistry } from "../../src/registry/index.js";
import { copyBuiltinRegistry, removeFixtures } from "./registry-fixture.js";

afterAll(removeFixtures);

describe("built-in registry", () => {
  it("lives in templates/ at the repository root", async () => {
    const dir = builtinTemplatesDir();
    expect(dir).toBe(join(import.meta.dirname, "..", "..", "templates"));
    await expect(readFile(join(dir, "workflows", "development.yaml"), "utf8")).resolves.toContain(
      "name: development",
    );
  });

  it("loads the development workflow, its three personas and its three artifact schemas", async () => {
    const registry = await loadRegistry(builtinTemplatesDir());
    expect([...registry.workflows.keys()]).toEqual(["development@2"]);
    expect([...registry.personas.keys()].sort()).toEqual(["implementer@1", "reviewer@1", "spec-writer@1"]);
    expect([...registry.schemas.keys()].sort()).toEqual([
      "dev/implementation@1",
      "dev/review@1",
      "dev/spec@1",
    ]);
    expect(checkReferences(registry)).toEqual([]);
  });

  it("defines spec → implement → review with the spec approval gate and rejection targets", async () => {
    const registry = await loadRegistry(builtinTemplatesDir());
    const workflow = registry.workflows.get("development@2");
    expect(workflow?.file).toBe("workflows/development.yaml");
    const definition = workflow?.definition;
    expect(definition?.roles.map((role) => [role.id, role.persona])).toEqual([
      ["spec_writer", "spec-writer@1"],
      ["implementer", "implementer@1"],
      ["reviewer", "reviewer@1"],
    ]);
    expect(definition?.defaultGates).toEqual(["spec_approved"]);
    expect(
      definition?.phases.map(({ key, role, artifact, gate, onReject }) => ({
        key,
        role,
        artifact,
        gate,
        onReject,
      })),
    ).toEqual([
      { key: "spec", role: "spec_writer", artifact: "dev/spec@1", gate: "spec_approved", onReject: "spec" },
      {
        key: "implement",
        role: "implementer",
        artifact: "dev/implementation@1",
        gate: undefined,
        onReject: undefined,
      },
      { key: "review", role: "reviewer", artifact: "dev/review@1", gate: undefined, onReject: "implement" },
    ]);
    // A revision implements and reviews again, with no gate first: whoever asked for it may decide.
    expect(definition?.revision?.phases).toEqual(["implement", "review"]);
    expect(definition?.revision?.gate).toBeUndefined();
    for (const phase of definition?.phases ?? []) {
      expect(phase.maxAttempts).toBeGreaterThanOrEqual(1);
      expect(phase.timeoutSeconds).toBeGreaterThanOrEqual(60);
      expect(phase.instructions.length).toBeGreaterThan(200);
    }
  });

  it("resolves every role to a persona and every phase to a schema that accepts a sample artifact", async () => {
    const registry = await loadRegistry(builtinTemplatesDir());
    const definition = registry.workflows.get("development@2")?.definition;
    for (const role of definition?.roles ?? [])
      expect(registry.personas.get(role.persona)?.definition.title).toBeTruthy();
    const review = createAjv().compile(registry.schemas.get("dev/review@1")?.definition ?? {});
    expect(
      review({
        verdict: "request_changes",
        summary: "The parser ignores empty titles.",
        findings: [{ path: "src/parse.ts", line: 12, severity: "error", message: "Empty titles pass." }],
      }),
    ).toBe(true);
    expect(review({ verdict: "maybe", summary: "?", findings: [] })).toBe(false);
    expect(review({ verdict: "approve", summary: "Fine.", findings: [], extra: 1 })).toBe(false);
  });
});

describe("loadRegistry", () => {
  it("accepts a registry with only some of workflows/, personas/ and schemas/ when nothing refers elsewhere", async () => {
    const fixture = await copyBuiltinRegistry();
    await fixture.remove("workflows/development.yaml");
    const registry = await loadRegistry(fixture.dir);
    expect(registry.workflows.size).toBe(0);
    expect(registry.personas.size).toBe(3);
  });

  it("reads workflows and personas written as JSON like their YAML counterparts", async () => {
    const fixture = await copyBuiltinRegistry();
    const yaml = parse(await fixture.read("personas/reviewer.yaml"));
    await fixture.remove("personas/reviewer.yaml");
    await fixture.write("personas/reviewer.json", JSON.stringify(yaml));
    const fromJson = await loadRegistry(fixture.dir);
    const builtin = await loadRegistry(builtinTemplatesDir());
    expect(fromJson.personas.get("reviewer@1")?.file).toBe("personas/reviewer.json");
    expect(fromJson.personas.get("reviewer@1")?.hash).toBe(builtin.personas.get("reviewer@1")?.hash);
  });

  it("resolves a repository registry's references against a base registry", async () => {
    const builtin = await loadRegistry(builtinTemplatesDir());
    const fixture = await copyBuiltinRegistry();
    await fixture.remove("personas/reviewer.yaml");
    await fixture.remove("schemas/dev/review@1.json");
    await expect(loadRegistry(fixture.dir)).rejects.toThrow(/reviewer@1/);
    const repo = await loadRegistry(fixture.dir, { base: builtin });
    expect(repo.personas.has("reviewer@1")).toBe(false);
    expect(repo.workflows.has("development@2")).toBe(true);
  });

  it("refuses a directory that does not exist, naming it", async () => {
    const missing = join(builtinTemplatesDir(), "no-such-dir");
    const error = await loadRegistry(missing).catch((thrown: unknown) => thrown);
    expect(isDevflowError(error, "registry_invalid_file")).toBe(true);
    expect((error as Error).message).toContain(missing);
  });

  it("ignores dotfiles such as editor swap files", async () => {
    const fixture = await copyBuiltinRegistry();
    await fixture.write("workflows/.development.yaml.swp", "\u0000garbage");
    await expect(loadRegistry(fixture.dir)).resolves.toBeDefined();
  });
});
