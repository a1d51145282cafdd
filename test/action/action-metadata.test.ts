// What the runner reads before devflow's code runs: action.yml (runtime, entry, inputs) and the example
// workflow users copy (triggers, permissions, the guard that keeps it off in this repository).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are workflow expressions, not JavaScript
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => parse(readFileSync(join(repoRoot, path), "utf8"));

describe("action.yml", () => {
  const action = read("action/action.yml");

  it("runs the committed bundle on Node 20", () => {
    expect(action.runs).toEqual({ using: "node20", main: "dist/index.js" });
    expect(existsSync(join(repoRoot, "action", action.runs.main))).toBe(true);
    expect(existsSync(join(repoRoot, "action", "dist", "schema_engine_bg.wasm"))).toBe(true);
  });

  it("requires database-url, defaults github-token to the workflow token, and documents every input", () => {
    expect(Object.keys(action.inputs).sort()).toEqual([
      "agent",
      "config",
      "database-url",
      "github-token",
      "label",
    ]);
    expect(action.inputs["database-url"].required).toBe(true);
    expect(action.inputs["github-token"].default).toBe("${{ github.token }}");
    for (const input of Object.values(action.inputs) as { description: string }[])
      expect(input.description.length).toBeGreaterThan(20);
  });
});

describe("the example workflow", () => {
  const workflow = read(".github/workflows/devflow.example.yml");

  it("listens to the events devflow acts on and asks for exactly the permissions it uses", () => {
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining(["issues", "issue_comment", "pull_request_review", "check_run"]),
    );
    expect(workflow.permissions).toEqual({
      contents: "write",
      issues: "write",
      "pull-requests": "write",
      checks: "write",
    });
  });

  it("is off in this repository unless DEVFLOW_ACTION_ENABLED is set, and takes the database from a secret", () => {
    const job = workflow.jobs.devflow;
    expect(job.if).toBe("${{ vars.DEVFLOW_ACTION_ENABLED == 'true' }}");
    const step = job.steps.find((s: { uses?: string }) => s.uses === "./action");
    expect(step.with["database-url"]).toBe("${{ secrets.DEVFLOW_DATABASE_URL }}");
  });
});
