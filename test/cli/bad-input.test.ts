// Bad input to the CLI: each mistake is named with how to fix it, exits 2, and writes nothing — no run,
// no event, not even a data directory.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../../src/registry/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { type CliFixture, createCliFixture } from "./cli-fixture.js";

let db: TestDatabase;
let fixture: CliFixture;

beforeAll(async () => {
  db = await createTestDatabase();
  fixture = createCliFixture(db.url);
});
afterAll(async () => {
  await db.drop();
  fixture.cleanup();
});

async function rowCounts() {
  return {
    runs: await db.prisma.run.count(),
    events: await db.prisma.runEvent.count(),
    decisions: await db.prisma.approvalDecision.count(),
  };
}

/** Runs `devflow …` and expects exit 2 with every `expected` text in its output, and nothing written. */
async function expectRefused(
  args: string[],
  expected: string[],
  env: Record<string, string | undefined> = {},
) {
  const before = await rowCounts();
  const dataDir = join(fixture.root, `data-${Math.random().toString(36).slice(2)}`);
  const devflow = fixture.devflow(args, { DEVFLOW_DATA_DIR: dataDir, ...env });
  expect(await devflow.exited).toBe(2);
  for (const text of expected) expect(devflow.output()).toContain(text);
  expect(await rowCounts()).toEqual(before);
  expect(existsSync(dataDir)).toBe(false);
  return devflow.output();
}

describe("devflow refuses bad input", () => {
  it("an unknown run id, for every command that takes one", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    const commands = [["status"], ["logs"], ["approve"], ["abort"], ["attach"], ["run", "--resume"]];
    for (let i = 0; i < commands.length; i += 3) {
      await Promise.all(
        commands
          .slice(i, i + 3)
          .map((command) => expectRefused([...command, unknown], [`No run ${unknown}.`, "(run_not_found)"])),
      );
    }
    await expectRefused(["reject", "beef", "--reason", "no"], ["No run beef.", "devflow status"]);
  });

  it("an unknown run id with the embedded default, before any state exists", async () => {
    await expectRefused(["approve", "1234abcd"], ["No run 1234abcd", "(run_not_found)"], {
      DATABASE_URL: undefined,
    });
  });

  it("a directory that is not a git repository", async () => {
    const plain = join(fixture.root, "not-a-repo");
    mkdirSync(plain, { recursive: true });
    await expectRefused(
      ["run", "--repo", plain, "--requirements", fixture.requirements],
      [`${plain} is not a git repository.`, "(repository_not_found)", "git init"],
    );
  });

  it("a missing requirements file, and none at all", async () => {
    const missing = join(fixture.root, "nope.md");
    await expectRefused(
      ["run", "--repo", fixture.repo, "--requirements", missing],
      [`No requirements file ${missing}.`, "(requirements_not_found)"],
    );
    await expectRefused(["run", "--repo", fixture.repo], ["needs --requirements FILE", "devflow run --help"]);
  });

  it("an agent the server config does not define", async () => {
    await expectRefused(
      ["run", "--repo", fixture.repo, "--requirements", fixture.requirements, "--agent", "nope"],
      ['No agent "nope" in the server config (defined: plain, holding).', "(unknown_agent)"],
    );
  });

  it("an issue URL, which needs GitHub credentials", async () => {
    await expectRefused(
      ["run", "--repo", fixture.repo, "--issue", "https://github.com/o/r/issues/1"],
      ["needs GitHub credentials", "--requirements FILE"],
    );
  });

  it("an unknown option or a reject without a reason", async () => {
    await expectRefused(["status", "--colour"], ["Unknown option '--colour'", "devflow status --help"]);
    await expectRefused(["reject", "1234abcd"], ["devflow reject needs --reason TEXT"]);
  });

  it("a run with no live tmux pane to attach to", async () => {
    const run = await db.prisma.run.create({
      data: {
        templateHash: (await seedTemplate()).hash,
        repository: fixture.repo,
        baseBranch: "main",
        requirements: "x",
      },
    });
    await expectRefused(["attach", run.id], [`Run ${run.id} has no live tmux pane`, "(no_live_session)"]);
  });
});

describe("--help", () => {
  it("every subcommand explains itself", async () => {
    const commands = ["run", "approve", "reject", "abort", "status", "logs", "attach"];
    const helps = commands.map((command) => ({ command, devflow: fixture.devflow([command, "--help"]) }));
    for (const { command, devflow } of helps) {
      expect(await devflow.exited).toBe(0);
      expect(devflow.stdout()).toContain(`Usage: devflow ${command}`);
    }
  });
});

async function seedTemplate() {
  await storeRegistry(db.prisma, await loadRegistry(builtinTemplatesDir()), { source: "builtin" });
  return db.prisma.workflowTemplate.findFirstOrThrow({ where: { name: "development" } });
}
