import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { isDevflowError } from "../../src/errors/index.js";
import { builtinTemplatesDir, loadRegistry, type Registry, storeRegistry } from "../../src/registry/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { copyBuiltinRegistry, removeFixtures } from "./registry-fixture.js";

afterAll(removeFixtures);

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

const builtin = await loadRegistry(builtinTemplatesDir());

async function storedRows() {
  const select = { name: true, version: true, hash: true, source: true, id: true, createdAt: true } as const;
  const order = [{ name: "asc" as const }, { version: "asc" as const }];
  return {
    workflows: await db.prisma.workflowTemplate.findMany({ select, orderBy: order }),
    personas: await db.prisma.agentPersona.findMany({ select, orderBy: order }),
    schemas: await db.prisma.artifactSchema.findMany({ select, orderBy: order }),
  };
}

/** The registry with one persona changed but still at reviewer@1, and a new persona beside it. */
async function changedRegistry(): Promise<Registry> {
  const fixture = await copyBuiltinRegistry();
  await fixture.edit("personas/reviewer.yaml", (persona) => {
    persona.instructions += "\nAlso check the documentation.\n";
  });
  await fixture.write("personas/extra.yaml", "name: extra\nversion: 1\ntitle: Extra\ninstructions: Help.\n");
  return loadRegistry(fixture.dir);
}

describe("storeRegistry", () => {
  it("stores every workflow, persona and schema once, with its hash, source and definition", async () => {
    const result = await storeRegistry(db.prisma, builtin, { source: "builtin" });
    expect(result.inserted).toEqual({ workflows: 1, personas: 3, schemas: 3 });

    const rows = await storedRows();
    expect(rows.workflows.map((row) => [row.name, row.version, row.source])).toEqual([
      ["development", 2, "builtin:workflows/development.yaml"],
    ]);
    expect(rows.personas.map((row) => `${row.name}@${row.version}`)).toEqual([
      "implementer@1",
      "reviewer@1",
      "spec-writer@1",
    ]);
    expect(rows.schemas.map((row) => [row.name, row.version, row.source])).toEqual([
      ["dev/implementation", 1, "builtin:schemas/dev/implementation@1.json"],
      ["dev/review", 1, "builtin:schemas/dev/review@1.json"],
      ["dev/spec", 1, "builtin:schemas/dev/spec@1.json"],
    ]);
    expect(rows.workflows[0]?.hash).toBe(builtin.workflows.get("development@2")?.hash);

    const workflow = await db.prisma.workflowTemplate.findUniqueOrThrow({
      where: { name_version: { name: "development", version: 2 } },
    });
    expect(workflow.definition).toEqual(builtin.workflows.get("development@2")?.definition);
    const schema = await db.prisma.artifactSchema.findUniqueOrThrow({
      where: { name_version: { name: "dev/spec", version: 1 } },
    });
    expect(schema.schema).toEqual(builtin.schemas.get("dev/spec@1")?.definition);
  });

  it("changes nothing when the same registry is stored again", async () => {
    await storeRegistry(db.prisma, builtin, { source: "builtin" });
    const before = await storedRows();
    const again = await storeRegistry(db.prisma, await loadRegistry(builtinTemplatesDir()), {
      source: "builtin",
    });
    expect(again.inserted).toEqual({ workflows: 0, personas: 0, schemas: 0 });
    expect(await storedRows()).toEqual(before);
  });

  it("refuses a changed file that keeps its name@version, tells to bump the version, and writes no row", async () => {
    await storeRegistry(db.prisma, builtin, { source: "builtin" });
    const before = await storedRows();

    const error = await storeRegistry(db.prisma, await changedRegistry(), { source: "builtin" }).catch(
      (thrown: unknown) => thrown,
    );
    expect(isDevflowError(error, "registry_version_conflict")).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(
      "personas/reviewer.yaml: reviewer@1 is already stored (from builtin:personas/reviewer.yaml)",
    );
    expect(message).toContain('bump the version (set "version: 2" in it)');
    expect(message).not.toContain("extra");

    // The new persona in the same registry was rolled back with the rest.
    expect(await storedRows()).toEqual(before);
    expect(await db.prisma.agentPersona.count({ where: { name: "extra" } })).toBe(0);
  });

  it("lets several processes store the same registry at once, each row written exactly once", async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () => storeRegistry(db.prisma, builtin, { source: "builtin" })),
    );
    const total = (kind: "workflows" | "personas" | "schemas") =>
      results.reduce((sum, result) => sum + result.inserted[kind], 0);
    expect({ workflows: total("workflows"), personas: total("personas"), schemas: total("schemas") }).toEqual(
      {
        workflows: 1,
        personas: 3,
        schemas: 3,
      },
    );
    const rows = await storedRows();
    expect([rows.workflows.length, rows.personas.length, rows.schemas.length]).toEqual([1, 3, 3]);
  });
});
