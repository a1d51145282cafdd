// Claude Code's own conversation record, which gives a TUI session's usage (mode: tmux): the recorded
// file of a real TUI run (test/fixtures/agent-streams/claude-tui.jsonl, two responses), the turn's end,
// and a hostile agent's record; and the way devflow opens files in an agent's HOME.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readAgentFile } from "../../src/sessions/agent-file.js";
import { countClaudePrompts, parseClaudeTuiLogs } from "../../src/sessions/streams/claude-tui-log.js";

const recorded = () =>
  readFile(new URL("../fixtures/agent-streams/claude-tui.jsonl", import.meta.url), "utf8");
const roots: string[] = [];
afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

describe("Claude Code's TUI record", () => {
  it("counts the prompts a person submitted, not the tool results or Claude's own lines", async () => {
    // devflow presses Enter again when a pasted prompt is not counted soon after (tmux-prompt-paste.ts).
    const text = await recorded();
    expect(countClaudePrompts([text])).toBe(1);
    const more = [
      { type: "user", message: { content: [{ type: "text", text: "a second prompt" }] } },
      { type: "user", isMeta: true, message: { content: "Caveat: a line Claude adds itself" } },
      { type: "user", message: { content: [{ type: "tool_result" }, { type: "text", text: "reminder" }] } },
      { type: "user", message: "not a message" },
    ];
    const lines = more.map((entry) => JSON.stringify(entry)).join("\n");
    expect(countClaudePrompts([text, lines])).toBe(2);
  });

  it("sums each response once (a Write, then the closing text) and sees that the turn ended", async () => {
    const text = await recorded();
    expect(parseClaudeTuiLogs([text])).toEqual({
      usage: {
        inputTokens: 220,
        outputTokens: 15,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        model: "claude-opus-4-8",
        costUsd: null,
        source: "stream",
      },
      turnEnded: true,
    });
    // Cut after the tool call: the turn is still on; with a price table the cost is known.
    const cut = text.split("\n").slice(0, 9).join("\n");
    const prices = { "claude-opus-4-8": { inputPerMTok: 5, outputPerMTok: 25 } };
    expect(parseClaudeTuiLogs([cut], prices)).toMatchObject({
      usage: { inputTokens: 100, outputTokens: 10, costUsd: (100 * 5 + 10 * 25) / 1e6 },
      turnEnded: false,
    });
  });

  it("does not believe a response claiming absurd counts, and counts a repeated id once", () => {
    const line = (id: string, input: number) =>
      JSON.stringify({
        type: "assistant",
        message: {
          id,
          model: "m",
          stop_reason: "end_turn",
          usage: { input_tokens: input, output_tokens: 1 },
        },
      });
    const parsed = parseClaudeTuiLogs([[line("a", 5), line("a", 5), line("b", 1e300), "junk"].join("\n")]);
    expect(parsed.usage).toMatchObject({ inputTokens: 5, outputTokens: 1 });
  });
});

describe("a file in an agent's HOME", () => {
  it("is read as a plain file inside HOME only: never through a link, never a FIFO, never past the cap", async () => {
    const root = await mkdtemp(join(tmpdir(), "devflow-agent-file-"));
    roots.push(root);
    const home = join(root, "home");
    const outside = join(root, "outside");
    await mkdir(join(home, "dir"), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, "secret.jsonl"), "devflow's own file");
    await writeFile(join(home, "dir", "usage.jsonl"), "0123456789");
    await symlink(join(outside, "secret.jsonl"), join(home, "dir", "link.jsonl"));
    await symlink(outside, join(home, "linked-dir"));
    await promisify(execFile)("mkfifo", [join(home, "dir", "fifo.jsonl")]);
    const read = (path: string, max = 100) => readAgentFile(join(home, path), home, max).then(String);
    expect(await read("dir/usage.jsonl")).toBe("0123456789");
    expect(await read("dir/usage.jsonl", 4)).toBe("01234"); // one byte past the cap: the caller sees it
    expect(await read("dir/link.jsonl")).toBe("");
    expect(await read("linked-dir/secret.jsonl")).toBe("");
    expect(await read("dir/fifo.jsonl")).toBe("");
    expect(await read("dir/missing.jsonl")).toBe("");
  });
});
