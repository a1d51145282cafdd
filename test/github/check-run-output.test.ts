// Issue 14's "what the agent did, in the Checks tab": the check run of a run shows per phase the agent,
// its model, duration, tokens and cost, the commands it ran with their exit codes, the files it changed
// and its artifact's summary, links to the run's dashboard page, and always fits GitHub's 65,535
// characters, however long the run.
import { describe, expect, it } from "vitest";
import { CHECK_OUTPUT_LIMIT, renderCheckRun } from "../../src/github/effects/render-run-output.js";
import type { AgentCommand } from "../../src/sessions/streams/index.js";
import { builtRun, builtUsage } from "../builders/run-status.js";

const RUN_URL = "https://devflow.example.com/runs/r1";
const command = (text: string, exitCode: number | null, failed = exitCode !== 0): AgentCommand => ({
  command: text,
  exitCode,
  failed,
});

describe("the check run's output", () => {
  it("shows per phase the agent, model, duration, tokens, cost, commands with exit codes, files and the artifact summary", () => {
    const { status, activity } = builtRun("completed", [
      {
        phaseKey: "spec",
        artifactSummary: "Add a --verbose flag to the CLI.",
        activity: { agent: "claude", usage: builtUsage(1700, 145, 0.015, "claude-opus-4-8") },
      },
      {
        phaseKey: "implement",
        artifactSummary: "Implemented the flag.",
        activity: {
          agent: "codex",
          usage: builtUsage(12_000, 3_400, 0.42, "gpt-5.5"),
          commands: [command("npm test", 0), command("npm run lint", 1)],
          diffStat: {
            files: 2,
            insertions: 10,
            deletions: 3,
            paths: [
              { path: "src/cli.ts", insertions: 8, deletions: 3 },
              { path: "test/cli.test.ts", insertions: 2, deletions: 0 },
            ],
          },
        },
      },
    ]);
    const output = renderCheckRun(status, "# devflow run …: ✅ completed\n\nThe report.", {
      activity,
      runUrl: RUN_URL,
    });
    expect(output.conclusion).toBe("success");
    expect(output.summary).toContain(`# devflow run ${status.run.id}: ✅ completed`);
    expect(output.summary).toContain(`[Open the run on the dashboard](${RUN_URL})`);
    expect(output.summary).toContain(
      "| Phase | Attempt | Agent | Model | Duration | Tokens | Cost | Changed | Outcome |",
    );
    expect(output.summary).toContain(
      "| spec | 1 | claude | claude-opus-4-8 | 1 min 0 s | 1,700 in · 145 out | $0.0150 | — | ✅ succeeded |",
    );
    expect(output.summary).toContain(
      "| implement | 1 | codex | gpt-5.5 | 1 min 0 s | 12,000 in · 3,400 out | $0.4200 | 2 files +10 −3 | ✅ succeeded |",
    );
    expect(output.summary).toContain("- `npm test` → exit 0");
    expect(output.summary).toContain("- `npm run lint` → exit 1 ❌");
    expect(output.summary).toContain("- `src/cli.ts` +8 −3");
    expect(output.summary).toContain("Artifact: Implemented the flag.");
    expect(output.text).toContain("The report.");
  });

  it("fits a run of 20 phases with long transcripts in 65,535 characters, keeping every phase's row", () => {
    const long = (n: number) => `${"x".repeat(n)}`;
    const phases = Array.from({ length: 20 }, (_value, index) => ({
      phaseKey: `phase-${index + 1}`,
      artifactSummary: long(20_000),
      activity: {
        agent: "claude",
        usage: builtUsage(1_000_000 + index, 200_000, 3.5, "claude-opus-4-8"),
        commands: Array.from({ length: 200 }, (_c, n) => command(`npm run step-${n} ${long(450)}`, n % 3)),
        commandsOmitted: 5_000,
        diffStat: {
          files: 3_000,
          insertions: 90_000,
          deletions: 40_000,
          paths: Array.from({ length: 300 }, (_p, n) => ({
            path: `src/${long(200)}/file-${n}.ts`,
            insertions: n,
            deletions: 1,
          })),
        },
      },
    }));
    const { status, activity } = builtRun("completed", phases);
    const report = `# devflow run: ✅ completed\n\n${"A long report line.\n".repeat(20_000)}`;
    const output = renderCheckRun(status, report, { activity, runUrl: RUN_URL });
    expect(output.summary.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(output.text?.length ?? 0).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    for (let index = 1; index <= 20; index++) {
      expect(output.summary).toMatch(
        new RegExp(`^\\| phase-${index} \\| 1 \\| claude \\| claude-opus-4-8 \\|`, "m"),
      );
      expect(output.summary).toContain(`<summary>phase-${index} attempt 1: 5,200 commands`);
    }
    expect(output.summary).toContain("more on the dashboard");
    expect(output.text).toContain(`The full report is on the dashboard: ${RUN_URL}.`);
    // Each phase's details stay well-formed however they were cut.
    expect(output.summary.split("<details>").length).toBe(output.summary.split("</details>").length);
  });

  it("shows what agents wrote as text: it cannot open HTML, links or extra table cells", () => {
    const { status, activity } = builtRun("executing", [
      {
        phaseKey: "implement",
        state: "running",
        artifactSummary: "<img src=https://evil.example/x> [click](https://evil.example) @octo",
        activity: {
          agent: "claude",
          usage: builtUsage(1, 1, 0, "model | injected | cells"),
          commands: [command("echo `whoami` ``` done", 0)],
        },
      },
    ]);
    const { summary } = renderCheckRun(status, undefined, { activity });
    expect(summary).not.toContain("<img");
    expect(summary).toContain("\\[click\\](https://evil.example)"); // no link: its brackets are escaped
    expect(summary).toContain("model \\| injected \\| cells");
    expect(summary).toContain("- ````echo `whoami` ``` done```` → exit 0");
    expect(summary).not.toContain("Open the run on the dashboard");
  });
});
