// The real Claude Code TUI (mode: tmux) against the scripted model server: started with the argv
// devflow's preset builds for tmux, in a tmux pane of its own server, the prompt typed into the pane.
// It writes the artifact with its Write tool; its only other call is its session title (no tools), and
// it calls no other host (HTTPS_PROXY points at the server, which records and refuses any CONNECT).
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { agentLaunch, expandArgv } from "../../src/sessions/presets/index.js";
import { artifactPathIn, startModelServer } from "../fixtures/model-server/index.js";
import { installCli, scratchDir, seedCliHome } from "../support/agent-clis.js";
import { ARTIFACT_JSON } from "./real-cli-scenario.js";

const run = promisify(execFile);

/** Waits for `path` to hold text, up to `limitMs`; undefined if it never does. */
async function waitForFile(path: string, limitMs: number): Promise<string | undefined> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (text !== "") return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

describe("the real Claude Code TUI in tmux", () => {
  let bin = "";
  beforeAll(async () => {
    bin = await installCli("claude");
  }, 600_000);

  it("writes the artifact through its Write tool with the preset's tmux argv", async () => {
    const scratch = await scratchDir("claude-tui");
    // In this order: the TUI ends with its tmux server, then the model server closes, then the files go
    // (a TUI still shutting down writes to its HOME).
    const cleanup: (() => Promise<unknown>)[] = [];
    onTestFinished(async () => {
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
      for (let tries = 0; tries < 10; tries++) {
        await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    const [workDir, artifactDir, schemaDir, home] = ["worktree", "artifacts", "schemas", "home"].map((name) =>
      join(scratch, name),
    ) as [string, string, string, string];
    for (const dir of [workDir, artifactDir, schemaDir, home]) await mkdir(dir, { recursive: true });
    const artifactPath = join(artifactDir, "spec-1.json");
    const server = await startModelServer({
      anthropic: [
        (context) => ({
          calls: [
            { tool: "write", path: artifactPathIn(context.userText) ?? "/no-path", content: ARTIFACT_JSON },
          ],
          usage: { inputTokens: 100, outputTokens: 10 },
        }),
        { text: "Written.", usage: { inputTokens: 120, outputTokens: 5 } },
      ],
    });
    cleanup.push(() => server.close());
    // Claude's first-run checks call its vendor unless HOME says onboarding is done and the dir trusted.
    const seeded = await seedCliHome("claude", home, server.url, [workDir]);
    const launch = agentLaunch({ preset: "claude", mode: "tmux", sandbox: "none" });
    const argv = expandArgv(launch.argv, { artifactDir, schemaDir });
    const socket = join(scratch, "tmux.sock");
    const env = {
      ...seeded.env,
      HOME: home,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TERM: "xterm-256color",
    };
    const paneEnv = Object.entries(env).flatMap(([name, value]) => ["-e", `${name}=${value}`]);
    // `timeout --foreground`: without it the TUI is stopped by SIGTTOU (agent-clis note).
    const command = ["timeout", "--foreground", "120", bin, ...argv.slice(1)];
    // env -i: the tmux server's own environment (and so the pane's) holds nothing of this process's.
    await run(
      "env",
      ["-i", `PATH=${env.PATH}`, "tmux", "-S", socket, "new-session", "-d", "-x", "200", "-y", "50"].concat([
        "-c",
        workDir,
        ...paneEnv,
        ...command,
      ]),
    );
    cleanup.push(() => run("tmux", ["-S", socket, "kill-server"]));
    const pane = () => run("tmux", ["-S", socket, "capture-pane", "-p"]).then(({ stdout }) => stdout);
    // The TUI is ready for input when its prompt line shows.
    const readyBy = Date.now() + 30_000;
    while (!(await pane()).includes("❯") && Date.now() < readyBy)
      await new Promise((r) => setTimeout(r, 200));
    // As devflow's tmux adapter does: a bracketed paste, a pause, then Enter — sent again if no turn
    // reached the server (a TUI still busy starting can swallow the first one).
    const prompt = `Write your result as JSON to \`${artifactPath}\` (also in $DEVFLOW_ARTIFACT_PATH).`;
    await writeFile(join(scratch, "prompt.txt"), prompt);
    await run("tmux", ["-S", socket, "load-buffer", "-b", "prompt", join(scratch, "prompt.txt")]);
    await run("tmux", ["-S", socket, "paste-buffer", "-p", "-d", "-b", "prompt", "-t", "0"]);
    const turns = () => server.requests.filter((request) => request.api === "anthropic").length;
    for (let enter = 0; enter < 5 && turns() === 0; enter++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await run("tmux", ["-S", socket, "send-keys", "-t", "0", "Enter"]);
      const sentBy = Date.now() + 3_000;
      while (turns() === 0 && Date.now() < sentBy) await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await waitForFile(artifactPath, 60_000), await pane()).toBe(ARTIFACT_JSON);
    // The file is written by the first turn's tool call; the turn that reports it ("done") follows.
    await expect.poll(turns, { timeout: 30_000 }).toBe(2);
    const calls = server.requests.filter((request) => request.api !== "none");
    expect(
      server.requests.filter((request) => request.api === "none").map((r) => `${r.method} ${r.path}`),
    ).toEqual([]); // nothing else here, and no other host through the proxy trap
    expect(calls.filter((request) => request.api === "anthropic")).toHaveLength(2);
    expect(
      calls.every((request) => request.api === "anthropic" || request.api === "anthropic-side-call"),
    ).toBe(true);
    expect(await pane()).toContain(`Write(${artifactPath})`);
  }, 180_000);
});
