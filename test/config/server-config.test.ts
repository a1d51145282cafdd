import { describe, expect, it } from "vitest";
import { parseServerConfig } from "../../src/config/server-config.js";
import { isDevflowError } from "../../src/errors/index.js";
import { agentLaunch } from "../../src/sessions/presets/index.js";

/** What every agent but the fake one gets unless the operator says otherwise (network: agentNetwork). */
const SANDBOXED = { sandbox: "bubblewrap" } as const;

describe("server config (DEVFLOW_CONFIG)", () => {
  it("defaults to the fake agent, the devflow label and 4 concurrent runs", () => {
    expect(parseServerConfig("", "devflow.yml")).toMatchObject({
      agents: { fake: { preset: "fake", writeDelayMs: 50 } },
      defaultAgent: "fake",
      label: "devflow",
      maxConcurrentRuns: 4,
      engine: { reconcileEverySeconds: 30, shutdownDrainSeconds: 30 },
      github: { settleSeconds: 10 },
      limits: {
        transcriptLineChars: 16_000,
        transcriptBytesPerSession: 64 * 1024 * 1024,
        artifactBytes: 4 * 1024 * 1024,
        reportBytes: 4 * 1024 * 1024,
      },
    });
  });

  it("takes the input caps under limits, each defaulting on its own", () => {
    expect(parseServerConfig("limits: { artifactBytes: 65536 }", "devflow.yml").limits).toEqual({
      transcriptLineChars: 16_000,
      transcriptBytesPerSession: 64 * 1024 * 1024,
      artifactBytes: 65_536,
      reportBytes: 4 * 1024 * 1024,
      promptBytes: 1024 * 1024,
    });
  });

  it("has budgets per run and per phase with documented defaults, each limit set (or lifted with null) alone", () => {
    expect(parseServerConfig("", "devflow.yml").budgets).toEqual({
      run: { tokens: 50_000_000, costUsd: 50, wallTimeMinutes: 480, attempts: 15 },
      phase: { tokens: 20_000_000, costUsd: 20, wallTimeMinutes: 180, attempts: 5 },
      raiseBy: { tokens: 10_000_000, costUsd: 10, wallTimeMinutes: 60, attempts: 2 },
    });
    const budgets = parseServerConfig(
      "budgets: { run: { costUsd: 4, tokens: null }, raiseBy: { costUsd: 1 } }",
      "devflow.yml",
    ).budgets;
    expect(budgets.run).toEqual({ tokens: null, costUsd: 4, wallTimeMinutes: 480, attempts: 15 });
    expect(budgets.raiseBy.costUsd).toBe(1);
  });

  it("takes the dashboard's admins as GitHub logins", () => {
    expect(parseServerConfig("dashboard: { admins: [octocat, ops-lead] }", "devflow.yml").dashboard).toEqual({
      admins: ["octocat", "ops-lead"],
    });
    expect(parseServerConfig("", "devflow.yml").dashboard).toEqual({ admins: [] });
  });

  it.each([
    { text: "maxConcurrentRuns: 0", says: "maxConcurrentRuns:" },
    { text: "budgets: { run: { costUsd: -1 } }", says: "budgets.run.costUsd: found a value of 0 or less" },
    { text: "budgets: { phase: { attempts: 1.5 } }", says: "budgets.phase.attempts" },
    { text: "budgets: { raiseBy: { tokens: null } }", says: "budgets.raiseBy.tokens" },
    {
      text: "budgets: { run: { cost: 4 } }",
      says: "budgets.run.cost: not a setting; the settings under budgets.run are tokens, costUsd, wallTimeMinutes, attempts",
    },
    { text: "maxConcurrentRuns: lots", says: "maxConcurrentRuns:" },
    {
      text: "defaultAgent: claude",
      says: 'defaultAgent: names no agent defined under "agents" (defined: fake)',
    },
    { text: "agents:\n  Mine: { preset: fake }", says: "agents.Mine" },
    { text: "agents:\n  mine: { preset: rocket }", says: "agents.mine.preset" },
    { text: "agents:\n  mine: { preset: fake, command: [rm, -rf] }", says: "agents.mine" },
    { text: "labell: devflow", says: "labell" },
    { text: "engine: { phaseTimeoutSeconds: -1 }", says: "engine.phaseTimeoutSeconds" },
    { text: "limits: { artifactBytes: 10 }", says: "limits.artifactBytes" },
    { text: "limits: { transcriptLines: 10 }", says: "limits" },
    {
      text: "dashboard: { admins: ['not a login'] }",
      says: "dashboard.admins.0: a GitHub login such as octocat",
    },
    { text: "agents: [", says: "not valid YAML" },
    {
      text: "agents:\n  mine: { preset: rocket }",
      says: 'agents.mine.preset: found "rocket"; allowed: fake, claude, codex, gemini, aider, command',
    },
    {
      text: "agents:\n  mine: { preset: claude, mode: screen }",
      says: 'agents.mine.mode: found "screen"; allowed: exec, tmux',
    },
    {
      text: "agents:\n  mine: { preset: claude, command: [./agent.sh] }",
      says: 'agents.mine: Unrecognized key: "command"',
    },
    { text: "agents:\n  mine: { preset: codex, promptVia: arg }", says: "agents.mine" },
    {
      text: "agents:\n  mine: { preset: command }",
      says: "agents.mine.command: required: the program and its arguments",
    },
    { text: "agents:\n  mine: { preset: command, command: [] }", says: "agents.mine.command: found []" },
    { text: "agents:\n  mine: { preset: command, command: [x], extraArgs: [-v] }", says: "agents.mine" },
    {
      text: "agents:\n  mine: { preset: command, command: [x], promptVia: pipe }",
      says: 'agents.mine.promptVia: found "pipe"; allowed: stdin, arg, file',
    },
    {
      text: "agents:\n  mine: { preset: command, command: [x], mode: tmux, promptVia: file }",
      says: 'agents.mine.promptVia: found "file" with mode tmux; promptVia applies to mode exec only',
    },
    {
      text: "agents:\n  mine: { preset: command, command: [x], readyPattern: Ready }",
      says: 'agents.mine.readyPattern: found "Ready" with mode exec; readyPattern applies to mode tmux only',
    },
    {
      text: "agents:\n  mine: { preset: command, command: [x], mode: tmux, readyPattern: 'Ready (for' }",
      says: 'agents.mine.readyPattern: found "Ready (for", not a regular expression',
    },
    {
      text: "agents:\n  mine: { preset: claude, passThrough: [ANTHROPIC_API_KEY, DATABASE_URL] }",
      says: 'agents.mine.passThrough.1: found "DATABASE_URL", which is one of devflow\'s own secrets',
    },
    {
      text: "agents:\n  mine: { preset: aider, passThrough: [DEVFLOW_CONFIG] }",
      says: "agents.mine.passThrough.0",
    },
    {
      text: "agents:\n  mine: { preset: gemini, passThrough: [GITHUB_TOKEN] }",
      says: "agents.mine.passThrough.0",
    },
    {
      text: "agents:\n  mine: { preset: codex, passThrough: [OPENAI-KEY] }",
      says: "not an environment variable name",
    },
    {
      text: 'agents:\n  mine: { preset: codex, home: { files: { "../.ssh/authorized_keys": x } } }',
      says: 'agents.mine.home.files.../.ssh/authorized_keys: found "../.ssh/authorized_keys", which leaves HOME through ..',
    },
    {
      text: 'agents:\n  mine: { preset: codex, home: { files: { "/etc/passwd": x } } }',
      says: "which is not a path relative to HOME",
    },
    {
      text: 'agents:\n  mine: { preset: codex, home: { files: { "./.codex/config.toml": x } } }',
      says: "which is not a plain relative path",
    },
    {
      text: "agents:\n  mine: { preset: claude, home: { from: seeds/claude } }",
      says: "agents.mine.home.from",
    },
    { text: "agents:\n  mine: { preset: claude, home: { copy: /x } }", says: "agents.mine.home" },
    {
      text: "agents:\n  mine: { preset: gemini, limits: { memoryMiB: 10 } }",
      says: "agents.mine.limits.memoryMiB",
    },
    { text: "agents:\n  mine: { preset: gemini, limits: { memory: 10 } }", says: "agents.mine.limits" },
  ])("refuses $text, naming the key", ({ text, says }) => {
    let error: unknown;
    try {
      parseServerConfig(text, "/etc/devflow.yml");
    } catch (caught) {
      error = caught;
    }
    expect(isDevflowError(error, "invalid_server_config")).toBe(true);
    expect((error as Error).message).toContain("/etc/devflow.yml");
    expect((error as Error).message).toContain(says);
  });

  it("accepts the CLI presets in exec (default) or tmux mode, with pass-through variables and extra arguments", () => {
    const config = parseServerConfig(
      [
        "agents:",
        "  claude: { preset: claude, passThrough: [HTTPS_PROXY], extraArgs: [--model, opus] }",
        "  codex: { preset: codex, mode: tmux }",
        "  gemini: { preset: gemini }",
        "  aider: { preset: aider, passThrough: [AIDER_MODEL] }",
        "defaultAgent: claude",
      ].join("\n"),
      "devflow.yml",
    );
    expect(config.agents).toEqual({
      claude: {
        preset: "claude",
        mode: "exec",
        ...SANDBOXED,
        passThrough: ["HTTPS_PROXY"],
        extraArgs: ["--model", "opus"],
      },
      codex: { preset: "codex", mode: "tmux", ...SANDBOXED },
      gemini: { preset: "gemini", mode: "exec", ...SANDBOXED },
      aider: { preset: "aider", mode: "exec", ...SANDBOXED, passThrough: ["AIDER_MODEL"] },
    });
    expect(config.defaultAgent).toBe("claude");
  });

  it("accepts a command agent with its argv, prompt on stdin unless promptVia says otherwise", () => {
    const config = parseServerConfig(
      [
        "agents:",
        "  mine: { preset: command, command: [./agent.sh, --fast] }",
        "  byfile: { preset: command, command: [./agent.sh], promptVia: file, passThrough: [MY_KEY] }",
        "  watched: { preset: command, command: [./tui.sh], mode: tmux }",
        "  fake: { preset: fake }",
      ].join("\n"),
      "devflow.yml",
    );
    expect(config.agents).toEqual({
      mine: { preset: "command", command: ["./agent.sh", "--fast"], mode: "exec", ...SANDBOXED },
      byfile: {
        preset: "command",
        command: ["./agent.sh"],
        mode: "exec",
        ...SANDBOXED,
        promptVia: "file",
        passThrough: ["MY_KEY"],
      },
      watched: { preset: "command", command: ["./tui.sh"], mode: "tmux", ...SANDBOXED },
      fake: { preset: "fake", writeDelayMs: 50 },
    });
    const launches = Object.values(config.agents).flatMap((agent) =>
      agent.preset === "fake" ? [] : [agentLaunch(agent)],
    );
    expect(launches.map((launch) => launch.mode)).toEqual(["exec", "exec", "tmux"]);
  });
});
