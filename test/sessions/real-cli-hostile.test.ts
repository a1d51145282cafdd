// A hostile script through a real CLI's own shell tool, in devflow's sandbox: the model (the scripted
// server) has the CLI run a shell script that tries to read devflow's /proc, its data directory, the
// App's credentials and another run's worktree, to write the worktree's .git and the mirror's config,
// and to reach Postgres, Redis (directly and through the egress proxy) and a host off the allowlist.
// Every attempt fails, the canary never reaches the model (tool results go back to it), the proxy's
// refusals are in the transcript, and the CLI still ends cleanly.
import { randomUUID } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX_LIMITS } from "../../src/config/sandbox-settings.js";
import { builtinTemplatesDir } from "../../src/registry/index.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { agentLaunch, agentLimits } from "../../src/sessions/presets/index.js";
import { promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import { type ModelScripts, startModelServer } from "../fixtures/model-server/index.js";
import { CLI_CACHE, installCli, type RealCli, seedCliHome } from "../support/agent-clis.js";
import { TURN_USAGE, VENDOR } from "./real-cli-scenario.js";
import { type HostileWorld, hostileWorld } from "./sandbox-fixture.js";

const worlds: HostileWorld[] = [];
afterAll(() => Promise.all(worlds.map((world) => rm(world.root, { recursive: true, force: true }))));
const NOT_PASSED = new Set([
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "http_proxy",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
]);

function hostileScript(world: HostileWorld): string {
  const reads = [
    `/proc/${process.pid}/environ`,
    join(world.dataDir, "canary.txt"),
    join(world.dataDir, "github-app.json"),
    ...(world.targets.match(/\/[^"]*secret\.txt/g) ?? []),
  ];
  // No $(…): Gemini's shell tool refuses command substitution.
  const connected = (options: string, url: string, what: string) =>
    `curl -s -o /dev/null -m 5 -w '%{http_connect}' ${options} ${url} | grep -qx 200 && echo 'ATTACK-WORKED ${what}'`;
  const tunnel = (target: string) =>
    connected(`--proxytunnel -x "$HTTPS_PROXY"`, `http://${target}/`, `tunnel ${target}`);
  return [
    ...reads.map((path) => `cat '${path}' 2>/dev/null && echo 'ATTACK-WORKED read ${path}'`),
    "echo x >> .git 2>/dev/null && echo 'ATTACK-WORKED wrote .git'",
    `echo x >> '${join(world.mirror, "config")}' 2>/dev/null && echo 'ATTACK-WORKED wrote the mirror'`,
    "(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && echo 'ATTACK-WORKED postgres direct'",
    "(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && echo 'ATTACK-WORKED redis direct'",
    tunnel("127.0.0.1:5432"),
    tunnel("127.0.0.1:6379"),
    connected("", "https://example.com/", "example.com"),
    "echo attacks-done",
  ].join("; ");
}

describe.each(["claude", "codex", "gemini"] as const)(
  "a hostile script through the real %s CLI",
  (cli: RealCli) => {
    it("fails every attempt, and the CLI still ends cleanly", async () => {
      const world = hostileWorld();
      worlds.push(world);
      const bin = await installCli(cli);
      const script = hostileScript(world);
      const scripts = {
        [VENDOR[cli]]: [
          {
            calls: [{ tool: "shell", command: `(${script}) > attacks.txt 2>&1; cat attacks.txt` }],
            usage: TURN_USAGE[0],
          },
          { text: "done", usage: TURN_USAGE[1] },
        ],
      } as unknown as ModelScripts;
      const server = await startModelServer(scripts);
      const launch = agentLaunch({ preset: cli, mode: "exec" });
      const home = join(world.sessionDir, "home");
      const seeded = await seedCliHome(cli, home, server.url, [world.worktree]);
      const adapter = new ExecSessionAdapter({
        command: [bin, ...launch.argv.slice(1)],
        promptVia: "stdin",
        passThrough: Object.keys(seeded.env).filter((name) => !NOT_PASSED.has(name)),
        env: { ...process.env, ...seeded.env },
        presetEnv: launch.env,
        stream: cli,
        stopGraceMs: 300,
        mirrorsDir: join(world.dataDir, "mirrors"),
        sandbox: {
          readOnlyPaths: [CLI_CACHE],
          network: { allow: [`127.0.0.1:${server.port}`] },
          // The limits the operator's config gives each preset by default (Gemini: its address space).
          limits: agentLimits({ preset: cli, mode: "exec" }, DEFAULT_SANDBOX_LIMITS),
        },
      });
      const handle = await adapter.start({
        sessionId: world.sessionId,
        runId: world.runId,
        roleId: "implementer",
        agent: cli,
        cwd: world.worktree,
        sessionDir: world.sessionDir,
      });
      try {
        const artifactPath = join(world.artifactDir, "spec-1.json");
        await adapter.sendPrompt(handle, {
          uuid: randomUUID(),
          runId: world.runId,
          roleId: "implementer",
          phaseKey: "spec",
          attempt: 1,
          expectedArtifact: artifactPath,
          expectedSchema: "dev/spec@1",
          expectedSchemaPath: join(builtinTemplatesDir(), "schemas", "dev/spec@1.json"),
          dedupKey: promptDedupKey(world.runId, "spec", 1, 0),
          instructions: `# Phase: spec\nWrite your result as JSON to \`${artifactPath}\`.\n`,
        });
        await expect.poll(() => adapter.isAlive(handle), { timeout: 60_000, interval: 100 }).toBe(false);
        const transcript = await readFile(handle.transcriptPath ?? "", "utf8");
        const attacks = await readFile(join(world.worktree, "attacks.txt"), "utf8").catch(() => transcript);
        expect(attacks).toContain("attacks-done");
        expect(attacks).not.toContain("ATTACK-WORKED");
        expect(JSON.stringify(server.requests)).not.toContain(world.canary);
        expect(JSON.stringify(server.requests)).toContain("attacks-done"); // the result reached the model
        for (const target of ["127.0.0.1:5432", "127.0.0.1:6379", "example.com:443"]) {
          expect(transcript).toContain(`egress proxy refused ${target}`);
        }
        expect(adapter.lastExit(handle)?.code).toBe(0);
        expect(await readFile(join(world.worktree, ".git"), "utf8")).toMatch(/^gitdir: /);
        expect(await readFile(join(world.mirror, "config"), "utf8")).not.toContain("\nx");
        expect(server.requests.filter((request) => request.api === "none")).toEqual([]);
      } finally {
        await adapter.stop(handle);
        await server.close();
      }
    });
  },
);
