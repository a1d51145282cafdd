import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { SandboxKind } from "../../src/config/sandbox-settings.js";
import {
  type AgentMode,
  agentLaunch,
  CLI_PRESETS,
  type CliPresetName,
  expandArgv,
  PRESETS,
} from "../../src/sessions/presets/index.js";
import { installCli, PINNED_CLIS, type RealCli, scratchDir } from "../support/agent-clis.js";

const run = promisify(execFile);

/** The CLIs checked against their own --help, pinned: test/fixtures/cli-help/ records these versions. */
const PINNED = Object.fromEntries(
  Object.entries(PINNED_CLIS).map(([cli, { pkg, version }]) => [cli, `${pkg}@${version}`]),
) as Record<RealCli, string>;
type InstallableCli = RealCli;

const recordedHelp = fileURLToPath(new URL("../fixtures/cli-help/", import.meta.url));
const bins = new Map<InstallableCli, string>();
let installFailure: string | undefined;

beforeAll(async () => {
  // The same cache as the real-CLI tests (test/support/agent-clis.ts); the install happens once.
  try {
    for (const cli of Object.keys(PINNED_CLIS) as InstallableCli[]) bins.set(cli, await installCli(cli));
  } catch (error) {
    installFailure = (error as Error).message;
    console.warn(
      `presets.test: ${installFailure}; checking preset flags against the --help recorded in ${recordedHelp} instead`,
    );
  }
}, 600_000);

interface Help {
  readonly text: string;
  /** Where the text came from, quoted by failing assertions. */
  readonly source: string;
}

async function helpOf(cli: InstallableCli, subcommands: readonly string[]): Promise<Help> {
  const command = [cli, ...subcommands, "--help"].join(" ");
  const bin = bins.get(cli);
  if (installFailure === undefined && bin !== undefined) {
    const home = await scratchDir("cli-help-home");
    try {
      const env = { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" };
      const { stdout, stderr } = await run(bin, [...subcommands, "--help"], { env, timeout: 60_000 });
      return { text: stdout + stderr, source: `\`${command}\` of ${PINNED[cli]} installed at ${bin}` };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
  const file = join(recordedHelp, `${[cli, ...subcommands].join("-")}.txt`);
  return { text: await readFile(file, "utf8"), source: `\`${command}\` recorded in ${file}` };
}

/** The argv a preset runs in `mode` (no extraArgs), sandboxed or not, as the test of its flags reads it. */
function presetArgv(
  cli: CliPresetName,
  mode: AgentMode,
  sandbox: SandboxKind = "bubblewrap",
): readonly string[] {
  return agentLaunch({ preset: cli, mode, sandbox }).argv;
}

/** Subcommands (the words before the first flag), flags, and the literal values that follow flags. */
function partsOf(argv: readonly string[]) {
  const rest = argv.slice(1);
  const firstFlag = rest.findIndex((token) => token.startsWith("-"));
  const subcommands = firstFlag === -1 ? rest : rest.slice(0, firstFlag);
  const isFlag = (token: string | undefined) => token !== undefined && /^--?[A-Za-z]/.test(token);
  const flags = rest.filter(isFlag).map((flag) => flag.split("=")[0] ?? flag);
  const values = rest.filter(
    (token, index) => isFlag(rest[index - 1]) && !isFlag(token) && token !== "-" && !token.includes("{"),
  );
  return { subcommands, flags, values };
}

/** Whether `word` stands alone in `text` (not as part of a longer flag or word). */
function mentions(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[\\s,"'\`(\\[])${escaped}($|[\\s,="'\`)\\]<.:])`, "m").test(text);
}

describe("agentLaunch", () => {
  const commandLines: [CliPresetName, string, string, string][] = [
    [
      "claude",
      "claude --print --add-dir {artifactDir} --add-dir {schemaDir} --output-format stream-json --verbose --permission-mode bypassPermissions",
      "claude --add-dir {artifactDir} --add-dir {schemaDir} --permission-mode bypassPermissions",
      "stdin",
    ],
    [
      "codex",
      "codex exec --add-dir {artifactDir} --color never --json --dangerously-bypass-approvals-and-sandbox -",
      "codex --add-dir {artifactDir} --no-alt-screen --dangerously-bypass-approvals-and-sandbox",
      "stdin",
    ],
    [
      "gemini",
      "gemini --output-format stream-json --skip-trust --include-directories {artifactDir},{schemaDir} --approval-mode yolo",
      "gemini --skip-trust --include-directories {artifactDir},{schemaDir} --approval-mode yolo",
      "stdin",
    ],
    [
      "aider",
      "aider --yes-always --no-auto-commits --no-dirty-commits --no-gitignore --no-check-update --no-show-release-notes --no-analytics --no-pretty --read {schemaPath} --message-file",
      "aider --yes-always --no-auto-commits --no-dirty-commits --no-gitignore --no-check-update --no-show-release-notes --no-analytics",
      "file",
    ],
  ];

  it.each(commandLines)(
    "knows the %s command lines for exec and tmux mode (full tools: in devflow's sandbox, the default)",
    (preset, exec, tmux, promptVia) => {
      expect(agentLaunch({ preset, mode: "exec" })).toMatchObject({ argv: exec.split(" "), promptVia });
      expect(agentLaunch({ preset, mode: "tmux" })).toMatchObject({
        mode: "tmux",
        argv: tmux.split(" "),
        passThrough: PRESETS[preset].apiKeyVariables,
      });
    },
  );

  it("keeps the edit-only flags with sandbox: none", () => {
    const unsandboxed = (preset: CliPresetName, mode: AgentMode) =>
      agentLaunch({ preset, mode, sandbox: "none" }).argv.join(" ");
    expect(unsandboxed("claude", "exec")).toMatch(/--permission-mode acceptEdits$/);
    expect(unsandboxed("claude", "tmux")).toMatch(/--permission-mode acceptEdits$/);
    expect(unsandboxed("codex", "exec")).toBe(
      "codex exec --add-dir {artifactDir} --color never --json --sandbox workspace-write -",
    );
    expect(unsandboxed("codex", "tmux")).toBe(
      "codex --add-dir {artifactDir} --no-alt-screen --sandbox workspace-write --ask-for-approval never",
    );
    expect(unsandboxed("gemini", "exec")).toMatch(/--approval-mode auto_edit$/);
    for (const preset of CLI_PRESETS) {
      for (const mode of ["exec", "tmux"] as const) {
        expect(unsandboxed(preset, mode)).not.toMatch(/bypass|yolo/);
      }
    }
  });

  it("quiets Claude's other vendor traffic always, and says it is sandboxed only when it is", () => {
    const quiet = {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "1",
    };
    expect(agentLaunch({ preset: "claude", mode: "exec" }).env).toEqual({ ...quiet, IS_SANDBOX: "1" });
    expect(agentLaunch({ preset: "claude", mode: "tmux", sandbox: "none" }).env).toEqual(quiet);
    expect(agentLaunch({ preset: "codex", mode: "exec" }).env).toEqual({});
  });

  it("puts the operator's extraArgs after the preset's flags and before its trailing prompt arguments", () => {
    expect(
      agentLaunch({ preset: "codex", mode: "exec", extraArgs: ["--model", "o3"] }).argv.slice(-3),
    ).toEqual(["--model", "o3", "-"]);
    expect(
      agentLaunch({ preset: "aider", mode: "exec", extraArgs: ["--model", "sonnet"] }).argv.slice(-3),
    ).toEqual(["--model", "sonnet", "--message-file"]);
    expect(
      agentLaunch({ preset: "claude", mode: "tmux", extraArgs: ["--model", "opus"] }).argv.slice(-2),
    ).toEqual(["--model", "opus"]);
  });

  it("passes through each preset's own API-key variables and the operator's, once each", () => {
    expect(agentLaunch({ preset: "claude", mode: "exec" }).passThrough).toEqual([
      "ANTHROPIC_API_KEY",
      "CLAUDE_CODE_OAUTH_TOKEN",
    ]);
    expect(
      agentLaunch({ preset: "codex", mode: "exec", passThrough: ["OPENAI_API_KEY", "HTTPS_PROXY"] }),
    ).toMatchObject({ passThrough: ["OPENAI_API_KEY", "CODEX_API_KEY", "HTTPS_PROXY"] });
    expect(PRESETS.gemini.apiKeyVariables).toEqual(["GEMINI_API_KEY", "GOOGLE_API_KEY"]);
    expect(PRESETS.aider.apiKeyVariables).toEqual([
      "ANTHROPIC_API_KEY",
      "OPENAI_API_KEY",
      "GEMINI_API_KEY",
      "DEEPSEEK_API_KEY",
      "OPENROUTER_API_KEY",
    ]);
  });

  it("runs a command agent's own argv with the prompt on stdin unless promptVia says otherwise, and nothing passed through unless named", () => {
    const command = ["./agent.sh", "--fast"];
    expect(agentLaunch({ preset: "command", command, mode: "exec" })).toEqual({
      mode: "exec",
      argv: command,
      promptVia: "stdin",
      passThrough: [],
      env: {},
    });
    expect(
      agentLaunch({ preset: "command", command, mode: "exec", promptVia: "file", passThrough: ["MY_KEY"] }),
    ).toEqual({ mode: "exec", argv: command, promptVia: "file", passThrough: ["MY_KEY"], env: {} });
    expect(agentLaunch({ preset: "command", command, mode: "tmux" })).toEqual({
      mode: "tmux",
      argv: command,
      passThrough: [],
      env: {},
    });
  });
});

describe("expandArgv", () => {
  it("replaces the placeholders inside arguments and leaves other braces alone", () => {
    const values = {
      artifactDir: "/w/r/artifacts",
      artifactPath: "/w/r/artifacts/spec-1.json",
      schemaDir: "/t/s",
    };
    expect(
      expandArgv(
        ["--include-directories", "{artifactDir},{schemaDir}", "{artifactPath}", "{}", "{x}"],
        values,
      ),
    ).toEqual(["--include-directories", "/w/r/artifacts,/t/s", "/w/r/artifacts/spec-1.json", "{}", "{x}"]);
  });
});

describe("preset flags against the CLIs' own --help", () => {
  const cases = (Object.keys(PINNED) as InstallableCli[]).flatMap((cli) =>
    (["exec", "tmux"] as const).map((mode): [InstallableCli, AgentMode] => [cli, mode]),
  );

  it.each(cases)(
    "every flag and choice of the %s %s command line is in the CLI's own --help",
    async (cli, mode) => {
      for (const sandbox of ["bubblewrap", "none"] as const) {
        const { subcommands, flags, values } = partsOf(presetArgv(cli, mode, sandbox));
        const help = await helpOf(cli, subcommands);
        expect(flags.length).toBeGreaterThan(0);
        for (const flag of flags) expect(mentions(help.text, flag), `${flag} in ${help.source}`).toBe(true);
        for (const value of values)
          expect(mentions(help.text, value), `${value} in ${help.source}`).toBe(true);
      }
    },
  );

  it.each(["exec", "tmux"] as const)(
    "every flag of the aider %s command line is an option of aider/args.py (aider is Python: not installed here)",
    async (mode) => {
      const options = await readFile(join(recordedHelp, "aider.txt"), "utf8");
      const { flags } = partsOf(presetArgv("aider", mode));
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags)
        expect(mentions(options, flag), `${flag} in ${recordedHelp}aider.txt`).toBe(true);
    },
  );

  it("covers every CLI preset", () => {
    expect([...Object.keys(PINNED), "aider"].sort()).toEqual([...CLI_PRESETS].sort());
  });
});
