// The egress proxy for a TUI in a tmux pane: the pane's sandbox gets the same proxy and forwarder as an
// exec agent's. The agent (test/fixtures/egress-agent.mjs --out) reaches the allowlisted server and is
// refused Postgres, Redis and any other host; the refusals are in the session's transcript.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TmuxSessionAdapter } from "../../src/sessions/tmux-adapter.js";
import { FIXTURES_DIR, untilFile } from "./exec-agent-runs.js";

let root = "";
let server: Server;
let port = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "devflow-egress-tmux-"));
  server = createServer((req, res) => res.end(`model-server ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await promisify(execFile)("tmux", ["-S", join(root, "tmux.sock"), "kill-server"]).catch(() => {});
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

describe("a tmux agent's network", () => {
  it("reaches only its allowlist through the session's egress proxy", async () => {
    const worktree = join(root, "run", "main");
    await promisify(execFile)("mkdir", ["-p", worktree]);
    const attempts = [
      { name: "allowed", via: "get", url: `http://127.0.0.1:${port}/v1/messages` },
      { name: "postgres", via: "connect", target: "127.0.0.1:5432" },
      { name: "other", via: "connect", target: "example.com:443" },
    ];
    const out = join(worktree, "egress.json");
    const adapter = new TmuxSessionAdapter({
      socketPath: join(root, "tmux.sock"),
      command: [process.execPath, `${FIXTURES_DIR}egress-agent.mjs`, JSON.stringify(attempts), "--out", out],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm-256color" },
      readyPattern: /Ready for a prompt/,
      stopGraceMs: 300,
      sandbox: { readOnlyPaths: [FIXTURES_DIR], network: { allow: [`127.0.0.1:${port}`] } },
    });
    const sessionDir = join(root, "session");
    const handle = await adapter.start({
      sessionId: randomUUID(),
      runId: randomUUID(),
      roleId: "spec_writer",
      agent: "tui",
      cwd: worktree,
      sessionDir,
    });
    try {
      const results = JSON.parse(await untilFile(out)) as Record<string, { status?: number; body?: string }>;
      expect(results.allowed).toEqual({ status: 200, body: "model-server /v1/messages" });
      expect(results.postgres?.status).toBe(403);
      expect(results.other?.status).toBe(403);
      const transcript = await readFile(join(sessionDir, "transcript.log"), "utf8");
      expect(transcript).toContain("egress proxy refused 127.0.0.1:5432");
      expect(transcript).toContain("egress proxy refused example.com:443");
    } finally {
      await adapter.stop(handle);
    }
  });
});
