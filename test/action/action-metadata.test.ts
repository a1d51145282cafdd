// What the runner reads before devflow's code runs: action.yml (runtime, entry, inputs) and the example
// workflow users copy (triggers, permissions, the guard that keeps it off in this repository).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are workflow expressions, not JavaScript
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  JOB_MARGIN_SECONDS,
  longestPhaseSeconds,
  phaseBudgetSeconds,
  phaseTimeoutFor,
} from "../../src/action/phase-budget.js";
import { serverConfigSchema } from "../../src/config/server-config.js";
import { builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => parse(readFileSync(join(repoRoot, path), "utf8"));

describe("action.yml", () => {
  const action = read("action/action.yml");

  it("runs the committed bundle on Node 24, built to run on Node 20.19+ too", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(existsSync(join(repoRoot, "action", action.runs.main))).toBe(true);
    expect(existsSync(join(repoRoot, "action", "dist", "schema_engine_bg.wasm"))).toBe(true);
    expect(readFileSync(join(repoRoot, "scripts", "build-action.mjs"), "utf8")).toContain('target: "node20"');
  });

  it("requires database-url, defaults github-token to the workflow token, and documents every input", () => {
    expect(Object.keys(action.inputs).sort()).toEqual([
      "agent",
      "config",
      "database-url",
      "github-token",
      "label",
      "timeout-minutes",
      "workflow-token",
    ]);
    expect(action.inputs["database-url"].required).toBe(true);
    expect(action.inputs["github-token"].default).toBe("${{ github.token }}");
    // What tells devflow which kind of token github-token is (the workflow's own, or an App's).
    expect(action.inputs["workflow-token"].default).toBe("${{ github.token }}");
    for (const input of Object.values(action.inputs) as { description: string }[])
      expect(input.description.length).toBeGreaterThan(20);
  });
});

describe("the example workflow", () => {
  const workflow = read(".github/workflows/devflow.example.yml");

  const job = workflow.jobs.devflow;
  const step = job.steps.find((s: { uses?: string }) => s.uses === "./action");

  it("listens to the events devflow acts on, continues runs on a schedule, and asks for exactly the permissions it uses", () => {
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining([
        "issues",
        "issue_comment",
        "pull_request_review",
        "check_run",
        "schedule",
        "workflow_dispatch",
      ]),
    );
    expect(workflow.on.schedule[0].cron).toMatch(/^\*\/\d+ \* \* \* \*$/);
    expect(workflow.permissions).toEqual({
      contents: "write",
      issues: "write",
      "pull-requests": "write",
      checks: "write",
    });
  });

  it("is off in this repository unless DEVFLOW_ACTION_ENABLED is set, and takes the database from a secret", () => {
    expect(job.if).toBe("${{ vars.DEVFLOW_ACTION_ENABLED == 'true' && github.event.sender.type != 'Bot' }}");
    expect(step.with["database-url"]).toBe("${{ secrets.DEVFLOW_DATABASE_URL }}");
  });

  it("gives the job time for the longest built-in phase with margin, and tells devflow the same timeout", async () => {
    const registry = await loadRegistry(builtinTemplatesDir());
    expect(longestPhaseSeconds(registry)).toBe(3600);
    expect(job["timeout-minutes"] * 60).toBeGreaterThanOrEqual(
      longestPhaseSeconds(registry) + JOB_MARGIN_SECONDS,
    );
    expect(Number(step.with["timeout-minutes"])).toBe(job["timeout-minutes"]);
    // With this timeout and the workflow token, no phase of the templates is cut.
    expect(
      phaseTimeoutFor(undefined, 3600, phaseBudgetSeconds({ timeoutMinutes: 75, tokenKind: "workflow" })),
    ).toBe(undefined);
  });

  it("acts with an App token from actions/create-github-app-token when one is configured, else the workflow's", () => {
    const token = job.steps.find((s: { uses?: string }) =>
      s.uses?.startsWith("actions/create-github-app-token@"),
    );
    expect(token.with).toEqual({
      "client-id": "${{ vars.DEVFLOW_APP_CLIENT_ID }}",
      "private-key": "${{ secrets.DEVFLOW_APP_PRIVATE_KEY }}",
    });
    expect(step.with["github-token"]).toBe(`\${{ steps.${token.id}.outputs.token || github.token }}`);
  });

  it("runs Claude Code, installed by a step, with its key from a secret, in the bubblewrap sandbox", () => {
    const runs = job.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(runs).toMatch(/npm install --global @anthropic-ai\/claude-code@\d+/);
    expect(runs).toContain("apt-get install -y -q bubblewrap");
    expect(step.env).toEqual({ ANTHROPIC_API_KEY: "${{ secrets.ANTHROPIC_API_KEY }}" });
    // The config the step writes is one devflow accepts, and passes the key through to the agent.
    const yaml = /<<'YAML'\n([\s\S]*?)\nYAML/.exec(runs)?.[1] ?? "";
    const config = serverConfigSchema.parse(parse(yaml));
    expect(config.defaultAgent).toBe("claude");
    expect(config.agents.claude).toMatchObject({ preset: "claude", passThrough: ["ANTHROPIC_API_KEY"] });
    expect(step.with.config).toBe("${{ runner.temp }}/devflow-server.yml");
  });
});
