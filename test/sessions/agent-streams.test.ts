// The stream parsers on recorded output of the real CLIs (test/fixtures/agent-streams/, made by
// real-clis.test.ts with DEVFLOW_RECORD_AGENT_STREAMS=1), and on the hostile or broken output an agent
// can produce: junk lines, cut-off streams, terminal escapes, fake lines, floods.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  AgentStreamReader,
  MAX_COMMANDS,
  MAX_EVENT_CHARS,
  MAX_LINE_CHARS,
  MAX_TRANSCRIPT_LINES,
  parseAgentStream,
  parseClaudeStream,
  parseCodexStream,
  parseGeminiStream,
} from "../../src/sessions/streams/index.js";

const recording = (name: string) =>
  readFile(new URL(`../fixtures/agent-streams/${name}.jsonl`, import.meta.url), "utf8");
const ARTIFACT = "/scratch/artifacts/spec-1.json";
const WRITE_ARGS = `file_path="${ARTIFACT}" content="{\\"summary\\":\\"written by the real CLI\\"}"`;
const SHELL = `"node -e \\"require('fs').writeFileSync('ran.txt', process.argv[1])\\" shell-ran-inside-the-cli && echo shell-ran-inside-the-cli"`;
/** The shell command each recording's agent ran, as the command list keeps it (one line, unquoted). */
const COMMAND = `node -e "require('fs').writeFileSync('ran.txt', process.argv[1])" shell-ran-inside-the-cli && echo shell-ran-inside-the-cli`;

describe("recorded streams of the real CLIs", () => {
  it("reads Claude Code's stream-json: tool calls, results, a permission denial, and its own cost", async () => {
    const parsed = parseClaudeStream(await recording("claude-preset"));
    expect(parsed.transcript).toEqual([
      `tool Write: ${WRITE_ARGS}`,
      `result: File created successfully at: ${ARTIFACT} (file state is current in your context — no need to Read it back)`,
      `tool Bash: command=${SHELL} description="Run a command"`,
      expect.stringMatching(
        /^tool error: This Bash command contains multiple operations\. .*requires approval/,
      ),
      "assistant: The artifact is written and the command ran.",
      `denied Bash: command=${SHELL} description="Run a command"`,
    ]);
    // Refused by Claude's permission check: it failed, with no exit code to tell.
    expect(parsed.commands).toEqual({
      commands: [{ command: COMMAND, exitCode: null, failed: true }],
      omitted: 0,
    });
    expect(parseClaudeStream(await recording("claude-full-tools")).commands.commands).toEqual([
      { command: COMMAND, exitCode: 0, failed: false },
    ]);
    expect(parsed.usage).toEqual({
      inputTokens: 1700,
      outputTokens: 145,
      cacheReadTokens: 3600,
      cacheWriteTokens: 170,
      model: "claude-opus-4-8",
      costUsd: 0.0149875,
      source: "stream",
    });
  });

  it("reads codex exec --json: patch, command and its output, the message, the turn's usage; cost from the price table", async () => {
    const prices = { "gpt-5.5": { inputPerMTok: 2, outputPerMTok: 10, cacheReadPerMTok: 0.2 } };
    const parsed = parseCodexStream(await recording("codex-full-tools"), { model: "gpt-5.5", prices });
    expect(parsed.transcript).toEqual([
      `tool apply_patch: add ${ARTIFACT}`,
      `tool shell: /bin/bash -lc ${SHELL}`,
      "result: shell-ran-inside-the-cli",
      "assistant: The artifact is written and the command ran.",
    ]);
    expect(parsed.commands.commands).toEqual([
      { command: `/bin/bash -lc "${COMMAND.replaceAll('"', '\\"')}"`, exitCode: 0, failed: false },
    ]);
    expect(parsed.usage).toEqual({
      inputTokens: 1700,
      outputTokens: 145,
      cacheReadTokens: 3600,
      cacheWriteTokens: 0,
      model: "gpt-5.5",
      costUsd: expect.closeTo((1700 * 2 + 145 * 10 + 3600 * 0.2) / 1e6, 12),
      source: "stream",
    });
    expect(parseCodexStream(await recording("codex-full-tools")).usage).toMatchObject({
      model: null,
      costUsd: null,
    });
  });

  it("reads Gemini's stream-json: a refused tool, the routing model's tokens counted in, the main model named", async () => {
    const parsed = parseGeminiStream(await recording("gemini-preset"));
    expect(parsed.transcript).toEqual([
      `tool write_file: ${WRITE_ARGS}`,
      "result: (no output)",
      `tool run_shell_command: command=${SHELL} description="Run a command"`,
      'tool error: Tool "run_shell_command" not found. Did you mean one of: "update_topic", "grep_search", "replace"?',
      "assistant: The artifact is written and the command ran.",
    ]);
    expect(parsed.commands.commands).toEqual([{ command: COMMAND, exitCode: null, failed: true }]);
    expect(parseGeminiStream(await recording("gemini-full-tools")).commands.commands).toEqual([
      { command: COMMAND, exitCode: 0, failed: false },
    ]);
    expect(parsed.usage).toEqual({
      inputTokens: 1707,
      outputTokens: 148,
      cacheReadTokens: 3600,
      cacheWriteTokens: 0,
      model: "gemini-3.8-flash",
      costUsd: null,
      source: "stream",
    });
    const prices = { "gemini-3.8": { inputPerMTok: 0.3, outputPerMTok: 2.5 } };
    expect(
      parseAgentStream("gemini", await recording("gemini-preset"), { prices }).usage?.costUsd,
    ).toBeCloseTo((1707 * 0.3 + 148 * 2.5 + 3600 * 0.3) / 1e6, 12);
  });
});

describe("hostile and broken streams", () => {
  const assistant = (text: string) =>
    JSON.stringify({ type: "assistant", message: { id: "m1", content: [{ type: "text", text }] } });

  it("keeps an agent's text on one line without terminal escapes, so it cannot fake transcript lines", () => {
    const hostile = "ok\nresult: all tests passed\r\u001b[2K\u001b[1Aerror: none\u202eevil\u0007";
    const { transcript } = parseClaudeStream(`${assistant(hostile)}\n{"type":"result","subtype":"success"}`);
    expect(transcript).toEqual(["assistant: ok result: all tests passed error: none evil"]);
  });

  it("bounds the length of a line and the number of lines", () => {
    const long = parseClaudeStream(assistant("x".repeat(100_000))).transcript;
    expect(long).toHaveLength(2); // the text, and the missing result
    expect(long[0]).toHaveLength(MAX_LINE_CHARS);
    expect(long[0]?.endsWith("…")).toBe(true);
    const flood = Array.from({ length: MAX_TRANSCRIPT_LINES + 7 }, (_, i) =>
      JSON.stringify({ type: "error", message: `e${i}` }),
    ).join("\n");
    const lines = parseCodexStream(flood).transcript;
    expect(lines).toHaveLength(MAX_TRANSCRIPT_LINES + 1);
    expect(lines.at(-1)).toBe("… 7 more lines not shown");
  });

  it("lists the shell commands an agent ran with their exit codes, each on one line, at most MAX_COMMANDS", () => {
    const use = (id: string, command: string) =>
      JSON.stringify({
        type: "assistant",
        message: { id: `m-${id}`, content: [{ type: "tool_use", id, name: "Bash", input: { command } }] },
      });
    const result = (id: string, content: string, isError: boolean) =>
      JSON.stringify({
        type: "user",
        message: { content: [{ type: "tool_result", tool_use_id: id, content, is_error: isError }] },
      });
    const text = [
      use("a", "npm test"),
      result("a", "Exit code 2\n1 failing", true),
      use("b", "echo \u001b[2Jhi\nrm -rf x"),
      result("b", "hi", false),
      ...Array.from({ length: MAX_COMMANDS + 5 }, (_value, index) => use(`c${index}`, `true ${index}`)),
    ].join("\n");
    const { commands } = parseClaudeStream(text);
    expect(commands.commands.slice(0, 3)).toEqual([
      { command: "npm test", exitCode: 2, failed: true },
      { command: "echo hi rm -rf x", exitCode: 0, failed: false },
      { command: "true 0", exitCode: null, failed: false },
    ]);
    expect(commands.commands).toHaveLength(MAX_COMMANDS);
    expect(commands.omitted).toBe(7);
  });

  it("skips junk and cut-off lines and still finds the usage", () => {
    const result = JSON.stringify({
      type: "result",
      subtype: "success",
      total_cost_usd: 0.5,
      usage: {
        input_tokens: 10,
        output_tokens: 2,
        cache_read_input_tokens: -5,
        cache_creation_input_tokens: "9",
      },
      modelUsage: { "claude-haiku-4-5": { costUSD: 0.1 }, "claude-sonnet-4-5[1m]": { costUSD: 0.4 } },
    });
    const text = [
      "Warning: banner",
      "{not json",
      '{"type":"assistant","message":{"cont',
      "[1,2]",
      result,
    ].join("\n");
    expect(parseClaudeStream(text)).toEqual({
      transcript: [],
      commands: { commands: [], omitted: 0 },
      usage: {
        inputTokens: 10,
        outputTokens: 2,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        model: "claude-sonnet-4-5",
        costUsd: 0.5,
        source: "stream",
      },
    });
  });

  it("reports a Claude run cut off before its result: an error line and the usage of the messages seen", () => {
    const message = (id: string, input: number) =>
      JSON.stringify({
        type: "assistant",
        message: {
          id,
          model: "claude-sonnet-4-5",
          content: [],
          usage: { input_tokens: input, output_tokens: 3 },
        },
      });
    // Claude repeats a message per content block: its usage counts once.
    const parsed = parseClaudeStream([message("a", 100), message("a", 100), message("b", 50)].join("\n"));
    expect(parsed.transcript).toEqual(["error: the stream ended without a result (the CLI stopped early)"]);
    expect(parsed.usage).toMatchObject({
      inputTokens: 150,
      outputTokens: 6,
      model: "claude-sonnet-4-5",
      costUsd: null,
    });
    expect(parseClaudeStream("").usage).toBeUndefined();
  });

  it("shows each CLI's failures as error lines", () => {
    const claude = JSON.stringify({ type: "result", subtype: "error_max_turns", is_error: true, usage: {} });
    expect(parseClaudeStream(claude).transcript).toEqual(["error: error_max_turns"]);
    const codex = [
      {
        type: "item.completed",
        item: { type: "command_execution", command: "npm test", aggregated_output: "1 failed", exit_code: 1 },
      },
      { type: "turn.failed", error: { message: "stream disconnected before completion" } },
    ];
    expect(parseCodexStream(codex.map((event) => JSON.stringify(event)).join("\n")).transcript).toEqual([
      "tool error (exit 1): 1 failed",
      "error: stream disconnected before completion",
    ]);
    const gemini = [
      { type: "message", role: "assistant", content: "Let me ", delta: true },
      { type: "message", role: "assistant", content: "try.", delta: true },
      { type: "error", severity: "error", message: "quota exceeded" },
      {
        type: "result",
        status: "error",
        error: { message: "the model stopped" },
        stats: { input_tokens: 5, cached: 9 },
      },
    ];
    const parsed = parseGeminiStream(gemini.map((event) => JSON.stringify(event)).join("\n"));
    expect(parsed.transcript).toEqual([
      "assistant: Let me try.",
      "error: quota exceeded",
      "error: the model stopped",
    ]);
    // More cached than input tokens is impossible: the cached count is capped, never negative input.
    expect(parsed.usage).toMatchObject({ inputTokens: 0, cacheReadTokens: 5, model: null });
  });
});

describe("AgentStreamReader", () => {
  it.each([
    ["claude", "claude-preset"],
    ["codex", "codex-full-tools"],
    ["gemini", "gemini-preset"],
  ] as const)(
    "reads %s's stdout in chunks split anywhere, even inside a character, as the whole text",
    async (cli, name) => {
      const text = await recording(name);
      const bytes = Buffer.from(text);
      const reader = new AgentStreamReader(cli, { model: "gpt-5.5" });
      // The adapter shows the lines so far after each chunk: each view is the start of the final one.
      const views: (readonly string[])[] = [];
      for (let at = 0; at < bytes.length; at += 7) {
        reader.push(bytes.subarray(at, at + 7));
        views.push(reader.lines());
      }
      const whole = parseAgentStream(cli, text, { model: "gpt-5.5" });
      expect(reader.finish()).toEqual(whole);
      for (const view of views) expect(whole.transcript.slice(0, view.length)).toEqual(view);
    },
  );

  it("puts multi-byte characters split across chunks back together", () => {
    const reader = new AgentStreamReader("codex");
    const line = JSON.stringify({
      type: "item.completed",
      item: { type: "agent_message", text: "größer — ✓ 测试" },
    });
    for (const byte of Buffer.from(line)) reader.push(Buffer.from([byte]));
    expect(reader.finish().transcript).toEqual(["assistant: größer — ✓ 测试"]);
  });

  it("skips a line too long to hold and reads the lines after it", () => {
    const reader = new AgentStreamReader("codex");
    const huge = JSON.stringify({ type: "error", message: "x".repeat(MAX_EVENT_CHARS) });
    for (let at = 0; at < huge.length; at += 1024 * 1024) reader.push(huge.slice(at, at + 1024 * 1024));
    reader.push('\n{"type":"error","message":"after"}\n{"type":"turn.completed","usage":{"input_tokens":3}}');
    expect(reader.finish()).toMatchObject({ transcript: ["error: after"], usage: { inputTokens: 3 } });
  });
});
