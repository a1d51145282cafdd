// A tmux pane outlives the worker that started it; its egress proxy lived in that worker. The worker
// that resumes the pane must start a proxy where the pane's sandbox looks for it (the directory bound
// at /run/devflow), or the agent has lost its model API. The first worker is a process of its own
// (test/fixtures/tmux-session-host.ts), SIGKILLed as a dying worker is.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTemplatesDir } from "../../src/registry/index.js";
import { promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import type { SessionHandle } from "../../src/sessions/session-adapter.js";
import { TmuxSessionAdapter } from "../../src/sessions/tmux-adapter.js";
import { FIXTURES_DIR } from "./exec-agent-runs.js";

const HOST = fileURLToPath(new URL("../fixtures/tmux-session-host.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));
let root = "";
let server: Server;
let port = 0;
let host: ChildProcess | undefined;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "devflow-egress-resume-"));
  server = createServer((req, res) => res.end(`model-server ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  host?.kill("SIGKILL");
  await promisify(execFile)("tmux", ["-S", join(root, "tmux.sock"), "kill-server"]).catch(() => {});
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

/** The results the agent wrote for its `round`-th try (it tries once at start, then once per prompt). */
async function round(
  path: string,
  wanted: number,
): Promise<Record<string, { status?: number; error?: string }>> {
  for (let tries = 0; tries < 300; tries++) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (text !== "") {
      const results = JSON.parse(text) as { round: number };
      if (results.round >= wanted) return results as never;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the agent never finished round ${wanted}`);
}

describe("a resumed tmux pane's network", () => {
  it("reaches its allowlist again through a proxy the resuming worker starts where the pane's sandbox looks", async () => {
    const worktree = join(root, "run", "main");
    await promisify(execFile)("mkdir", ["-p", worktree]);
    const out = join(worktree, "egress.json");
    const attempts = [{ name: "allowed", via: "get", url: `http://127.0.0.1:${port}/v1/messages` }];
    const options = {
      socketPath: join(root, "tmux.sock"),
      command: [process.execPath, `${FIXTURES_DIR}egress-agent.mjs`, JSON.stringify(attempts), "--out", out],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm-256color" },
      readyPattern: "Ready for a prompt",
      stopGraceMs: 300,
      sandbox: { readOnlyPaths: [FIXTURES_DIR], network: { allow: [`127.0.0.1:${port}`] } },
    };
    const runId = randomUUID();
    const request = {
      sessionId: randomUUID(),
      runId,
      roleId: "spec_writer",
      agent: "tui",
      cwd: worktree,
      sessionDir: join(root, "session"),
    };
    const first = spawn(process.execPath, ["--import", "tsx", HOST, JSON.stringify({ options, request })], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    host = first;
    const line = await new Promise<string>((resolve) =>
      first.stdout?.once("data", (chunk) => resolve(String(chunk))),
    );
    const handle = JSON.parse(line) as SessionHandle;
    expect((await round(out, 1)).allowed?.status).toBe(200); // through the first worker's proxy

    first.kill("SIGKILL"); // the worker dies; the pane, under tmux, lives on
    await new Promise((resolve) => first.once("exit", resolve));
    const resumer = new TmuxSessionAdapter({ ...options, readyPattern: /Ready for a prompt/ });
    const resumed = await resumer.resume(handle);
    try {
      const prompt = {
        uuid: randomUUID(),
        runId,
        roleId: "spec_writer",
        phaseKey: "spec",
        attempt: 1,
        expectedArtifact: join(worktree, "spec.json"),
        expectedSchema: "dev/spec@1",
        expectedSchemaPath: join(builtinTemplatesDir(), "schemas", "dev/spec@1.json"),
        dedupKey: promptDedupKey(runId, "spec", 1, 0),
        instructions: "Try the network again.",
      };
      await resumer.sendPrompt(resumed, prompt);
      expect(await round(out, 2)).toMatchObject({ round: 2, allowed: { status: 200 } });
      // Resumed again by the worker that runs its proxy now (a session it had let go of): the same proxy.
      const again = await resumer.resume(handle);
      await resumer.sendPrompt(again, {
        ...prompt,
        uuid: randomUUID(),
        dedupKey: promptDedupKey(runId, "spec", 1, 1),
      });
      expect(await round(out, 3)).toMatchObject({ round: 3, allowed: { status: 200 } });
      const transcript = await readFile(join(root, "session", "transcript.log"), "utf8");
      expect(transcript).toContain("its egress proxy listens again");
    } finally {
      await resumer.stop(resumed);
    }
  });
});
