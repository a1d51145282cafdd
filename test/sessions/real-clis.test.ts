// The real Claude Code, Codex and Gemini CLIs (pinned, installed from npm into a cache outside the
// repository) run with the argv devflow's presets build, outside devflow and unsandboxed, against the
// scripted model server: each writes the artifact through its own write tool, runs (or is refused) a
// shell command through its own shell tool, and its machine-readable stream parses into the transcript
// and the usage the server reported. No request leaves the machine: the server records every call.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { parseAgentStream } from "../../src/sessions/streams/index.js";
import { GEMINI_ROUTING_USAGE, type RecordedRequest } from "../fixtures/model-server/index.js";
import { CODEX_MODEL, installCli, type RealCli } from "../support/agent-clis.js";
import {
  ARTIFACT_JSON,
  FINAL_TEXT,
  type Flags,
  runScenario,
  type Scenario,
  SHELL_COMMAND,
  SHELL_MARKER,
  TURN_USAGE,
} from "./real-cli-scenario.js";

const RECORDINGS = fileURLToPath(new URL("../fixtures/agent-streams/", import.meta.url));
/** Price table for the CLIs that report no cost (USD per million tokens). */
const PRICES = { [CODEX_MODEL]: { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 } };

const sum = (key: "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens") =>
  TURN_USAGE.reduce((total, usage) => total + (usage[key] ?? 0), 0);

/** The API each CLI must have called, and nothing else: no other path here, no other host via the proxy. */
const API: Record<RealCli, RecordedRequest["api"][]> = {
  claude: ["anthropic"],
  codex: ["openai"],
  gemini: ["gemini", "gemini-routing"],
};

/** Writes the stream, its scratch directory replaced, to test/fixtures/agent-streams/ when asked to. */
async function recordIfAsked(cli: RealCli, flags: Flags, scenario: Scenario) {
  if (process.env.DEVFLOW_RECORD_AGENT_STREAMS !== "1") return;
  await mkdir(RECORDINGS, { recursive: true });
  const text = scenario.run.stdout.replaceAll(scenario.scratch, "/scratch");
  await writeFile(join(RECORDINGS, `${cli}-${flags}.jsonl`), text);
}

function expectOnlyTheModelApi(cli: RealCli, requests: readonly RecordedRequest[], artifactPath: string) {
  const calls = requests.filter((request) => request.api !== "none");
  const strays = requests.filter((request) => request.api === "none");
  expect(strays.map((request) => `${request.method} ${request.path}`)).toEqual([]);
  expect(new Set(calls.map((request) => request.api))).toEqual(new Set(API[cli]));
  expect(calls.filter((request) => request.api !== "gemini-routing")).toHaveLength(TURN_USAGE.length);
  // The CLI sent devflow's prompt, and its key reached the record only as "[redacted]".
  expect(JSON.stringify(calls[0]?.body)).toContain(artifactPath);
  for (const request of calls) {
    const credential =
      request.headers["x-api-key"] ?? request.headers.authorization ?? request.headers["x-goog-api-key"];
    expect(credential).toBe("[redacted]");
  }
}

/** The transcript lines of the shell step, by CLI and whether the shell ran. */
function shellLines(cli: RealCli, ran: boolean): string[] {
  const quoted = JSON.stringify(SHELL_COMMAND);
  if (cli === "codex") return [`tool shell: /bin/bash -lc ${quoted}`, `result: ${SHELL_MARKER}`];
  const call = `tool ${cli === "claude" ? "Bash" : "run_shell_command"}: command=${quoted} description="Run a command"`;
  if (ran) return [call, `result: ${SHELL_MARKER}`];
  if (cli === "claude")
    return [call, expect.stringMatching(/^tool error: .*requires approval/) as unknown as string];
  return [
    call,
    'tool error: Tool "run_shell_command" not found. Did you mean one of: "update_topic", "grep_search", "replace"?',
  ];
}

function writeLines(cli: RealCli, artifactPath: string): string[] {
  const args = `file_path=${JSON.stringify(artifactPath)} content=${JSON.stringify(ARTIFACT_JSON)}`;
  if (cli === "claude") {
    return [
      `tool Write: ${args}`,
      expect.stringMatching(/^result: File created successfully at: /) as unknown as string,
    ];
  }
  if (cli === "codex") return [`tool apply_patch: add ${artifactPath}`];
  return [`tool write_file: ${args}`, "result: (no output)"];
}

function expectedUsage(cli: RealCli, model: string) {
  const routing = cli === "gemini" ? GEMINI_ROUTING_USAGE : { inputTokens: 0, outputTokens: 0 };
  const tokens = {
    inputTokens: sum("inputTokens") + routing.inputTokens,
    outputTokens: sum("outputTokens") + routing.outputTokens,
    cacheReadTokens: sum("cacheReadTokens"),
    // Only Anthropic's API has cache writes.
    cacheWriteTokens: cli === "claude" ? sum("cacheWriteTokens") : 0,
  };
  // Claude reports its own cost (its price for Opus 4.8: $5 / $25 / $0.50 cache read / $6.25 cache write
  // per million); Codex's comes from the price table; Gemini's model is not in the table: no cost.
  const costUsd =
    cli === "claude"
      ? (tokens.inputTokens * 5 +
          tokens.outputTokens * 25 +
          tokens.cacheReadTokens * 0.5 +
          tokens.cacheWriteTokens * 6.25) /
        1e6
      : cli === "codex"
        ? (tokens.inputTokens * 1.25 + tokens.outputTokens * 10 + tokens.cacheReadTokens * 0.125) / 1e6
        : null;
  return {
    ...tokens,
    model,
    source: "stream",
    costUsd: costUsd === null ? null : expect.closeTo(costUsd, 10),
  };
}

/** The model the CLI asked the server for (Gemini names it in the path; Codex's is in its config). */
function modelAsked(requests: readonly RecordedRequest[], api: RecordedRequest["api"]): string {
  const request = requests.find((candidate) => candidate.api === api);
  const inPath = /models\/([^:]+):/.exec(request?.path ?? "")?.[1];
  return inPath ?? String((request?.body as { model?: string } | undefined)?.model);
}

/** Whether each CLI's shell works with devflow's edit-only preset as it is (sandbox: none). */
const SHELL_WITH_PRESET: Record<RealCli, boolean> = { claude: false, codex: true, gemini: false };

describe.each(["claude", "codex", "gemini"] as const)(
  "the real %s CLI against the scripted model server",
  (cli) => {
    let bin = "";
    beforeAll(async () => {
      bin = await installCli(cli); // throws, failing every test here, when npm cannot install it
    }, 600_000);

    it.each(["preset", "full-tools"] as const)(
      "with the %s flags: writes the artifact with its own tool, and its stream gives the transcript and usage",
      async (flags) => {
        const scenario = await runScenario(cli, bin, flags);
        onTestFinished(() => rm(scenario.scratch, { recursive: true, force: true }));
        await recordIfAsked(cli, flags, scenario);
        const shellRan = flags === "full-tools" || SHELL_WITH_PRESET[cli];
        expect(scenario.run.code, scenario.run.stderr).toBe(0);
        expect(scenario.artifact?.trim()).toBe(ARTIFACT_JSON);
        expect(scenario.shellOutput).toBe(shellRan ? SHELL_MARKER : undefined);
        expectOnlyTheModelApi(cli, scenario.server.requests, scenario.artifactPath);

        const parsed = parseAgentStream(cli, scenario.run.stdout, { model: CODEX_MODEL, prices: PRICES });
        const denial =
          cli === "claude" && !shellRan
            ? [`denied Bash: command=${JSON.stringify(SHELL_COMMAND)} description="Run a command"`]
            : [];
        expect(parsed.transcript).toEqual([
          ...writeLines(cli, scenario.artifactPath),
          ...shellLines(cli, shellRan),
          `assistant: ${FINAL_TEXT}`,
          ...denial,
        ]);
        const model =
          cli === "codex" ? CODEX_MODEL : modelAsked(scenario.server.requests, API[cli][0] ?? "none");
        expect(parsed.usage).toEqual(expectedUsage(cli, model));
      },
      180_000,
    );
  },
);
