// The real Claude Code, Codex and Gemini CLIs through devflow's exec adapter, in the bubblewrap sandbox
// with the full tools their presets give there, reaching the scripted model server only through the
// session's egress proxy (the server's address is the agent's whole network allowlist): each writes the
// artifact with its write tool, runs a command with its shell tool, its stream becomes readable
// transcript lines and the usage the server reported, and the server saw nothing but model calls.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX_LIMITS } from "../../src/config/sandbox-settings.js";
import { builtinTemplatesDir } from "../../src/registry/index.js";
import { agentLaunch } from "../../src/sessions/presets/index.js";
import { promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import { artifactPathIn, type ModelScripts, startModelServer } from "../fixtures/model-server/index.js";
import { CLI_CACHE, installCli, type RealCli, seedCliHome } from "../support/agent-clis.js";
import { execRun, removeRunFolders, stopStartedSessions, untilExited } from "./exec-agent-runs.js";
import { SHELL_COMMAND, SHELL_MARKER, TURN_USAGE, VENDOR } from "./real-cli-scenario.js";

afterEach(stopStartedSessions);
afterAll(removeRunFolders);

/** The seeded variables devflow's pass-through gives the CLI; the proxy ones are devflow's own. */
const NOT_PASSED = new Set([
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "http_proxy",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
]);

describe.each(["claude", "codex", "gemini"] as const)(
  "the real %s CLI in devflow's sandbox",
  (cli: RealCli) => {
    it("writes the artifact, runs its shell, and reaches only the allowlisted model server", async () => {
      const bin = await installCli(cli);
      const artifactJson = '{"summary":"written in the sandbox"}';
      const scripts: ModelScripts = {
        [VENDOR[cli]]: [
          (context: { userText: string }) => ({
            calls: [
              { tool: "write", path: artifactPathIn(context.userText) ?? "/nowhere", content: artifactJson },
            ],
            usage: TURN_USAGE[0],
          }),
          { calls: [{ tool: "shell", command: SHELL_COMMAND }], usage: TURN_USAGE[1] },
          { text: "done", usage: TURN_USAGE[2] },
        ],
      } as ModelScripts;
      const server = await startModelServer(scripts);
      try {
        const launch = agentLaunch({ preset: cli, mode: "exec" });
        const run = await execRun({
          command: [bin, ...launch.argv.slice(1)],
          presetEnv: launch.env,
          stream: cli,
          sandbox: {
            readOnlyPaths: [CLI_CACHE],
            network: { allow: [`127.0.0.1:${server.port}`] },
            // V8 reserves address space for WebAssembly far beyond what it uses: under the default RLIMIT_AS
            // (8 GiB, and still at 32 GiB) Gemini's HTTP parser fails with "Cannot allocate Wasm memory".
            limits: { ...DEFAULT_SANDBOX_LIMITS, memoryMiB: 262_144 },
          },
        });
        await promisify(execFile)("git", ["init", "-q", run.worktree]);
        const home = join(run.root, "sessions", run.handle.sessionId, "home");
        const seeded = await seedCliHome(cli, home, server.url, [run.worktree]);
        const passed = Object.keys(seeded.env).filter((name) => !NOT_PASSED.has(name));
        const source = { ...process.env, ...seeded.env };
        // The seeded HOME is the session's, known once it started: the adapter reads its options at each
        // prompt, so the CLI's variables (endpoint, fake key, TMPDIR in that HOME) are named here.
        Object.assign(run.settings, { passThrough: passed, env: source });
        const artifactPath = join(run.root, "artifacts", "spec-1.json");
        await promisify(execFile)("mkdir", ["-p", join(run.root, "artifacts")]);
        await run.adapter.sendPrompt(run.handle, {
          uuid: "u",
          runId: run.runId,
          roleId: "spec_writer",
          phaseKey: "spec",
          attempt: 1,
          expectedArtifact: artifactPath,
          expectedSchema: "dev/spec@1",
          expectedSchemaPath: join(builtinTemplatesDir(), "schemas", "dev/spec@1.json"),
          dedupKey: promptDedupKey(run.runId, "spec", 1, 0),
          instructions: `# Phase: spec\nWrite your result as JSON to \`${artifactPath}\`. Then run the checks.\n`,
        });
        await untilExited(run.adapter, run.handle);
        const transcript = await readFile(run.handle.transcriptPath ?? "", "utf8");
        expect((await readFile(artifactPath, "utf8").catch(() => transcript)).trim()).toBe(artifactJson);
        expect(await readFile(join(run.worktree, "ran.txt"), "utf8").catch(() => transcript)).toBe(
          SHELL_MARKER,
        );
        expect(transcript).toContain(`network only to 127.0.0.1:${server.port}`);
        expect(transcript).not.toContain("egress proxy refused");
        expect(server.requests.filter((request) => request.api === "none")).toEqual([]);
        const usage = await run.adapter.takeUsage(run.handle, 1_000);
        expect(usage.map((entry) => entry.usage.source)).toEqual(["stream"]);
        expect(usage[0]?.usage.outputTokens).toBeGreaterThanOrEqual(145);
      } finally {
        await server.close();
      }
    });
  },
);
