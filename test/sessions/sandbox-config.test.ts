// What the operator may and may not configure for the sandbox, and which repository a worktree may show:
// settings that would show agents devflow's data directory are refused when the adapter is created; a
// `.git` that points anywhere but into devflow's mirrors is shown as a file, never followed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX } from "../../src/config/sandbox-settings.js";
import { parseServerConfig } from "../../src/config/server-config.js";
import { createSessionAdapter } from "../../src/sessions/create-session-adapter.js";
import { agentLimits, agentNetwork } from "../../src/sessions/presets/index.js";
import { sandboxGitMounts } from "../../src/sessions/sandbox.js";

const root = mkdtempSync(join(tmpdir(), "devflow-sandbox-config-"));
const dataDir = join(root, "data");
afterAll(() => rmSync(root, { recursive: true, force: true }));

const agent = parseServerConfig(
  "agents:\n  mine: { preset: command, command: [/usr/bin/true] }\ndefaultAgent: mine\n",
  "devflow.yml",
).agents.mine;

if (agent?.preset !== "command") throw new Error("the config lost its command agent");

describe("sandbox settings", () => {
  it("refuses readOnlyPaths that would show agents the data directory, naming the path", () => {
    for (const path of ["/", root, dataDir, join(dataDir, "sessions")]) {
      const create = () =>
        createSessionAdapter(agent, dataDir, { ...DEFAULT_SANDBOX, readOnlyPaths: [path] });
      expect(create).toThrowError(expect.objectContaining({ code: "invalid_server_config" }));
      expect(create).toThrowError(path);
    }
    expect(
      createSessionAdapter(agent, dataDir, { ...DEFAULT_SANDBOX, readOnlyPaths: ["/opt"] }).sandbox,
    ).toBe("bubblewrap");
  });

  it("refuses uid 0, a network other than none or an allowlist, and a malformed allowlist entry", () => {
    const parse = (text: string) => () => parseServerConfig(text, "devflow.yml");
    expect(parse("sandbox: { uid: 0 }")).toThrowError(/sandbox\.uid: found 0 \(root\)/);
    expect(parse("agents:\n  a: { preset: claude, network: host }\ndefaultAgent: a\n")).toThrowError(
      /agents\.a\.network: found "host"; allowed: none/,
    );
    expect(parse("sandbox: { readOnlyPaths: [relative/dir] }")).toThrowError(/an absolute path/);
    expect(parse("agents:\n  a: { preset: claude, network: { allow: [] } }\ndefaultAgent: a\n")).toThrowError(
      /agents\.a\.network/,
    );
    expect(
      parse(
        "agents:\n  a: { preset: claude, network: { allow: ['http://evil.example/x'] } }\ndefaultAgent: a\n",
      ),
    ).toThrowError(
      /agents\.a\.network\.allow\.0: found "http:\/\/evil\.example\/x", which is not host or host:port/,
    );
    expect(
      parse("agents:\n  a: { preset: claude, network: { allow: ['h:99999'] } }\ndefaultAgent: a\n"),
    ).toThrowError(/port outside 1-65535/);
  });

  it("gives Gemini the address space V8 reserves (64 GiB) over sandbox.limits; an agent's own limits decide", () => {
    const config = parseServerConfig(
      [
        "sandbox: { limits: { memoryMiB: 4096, openFiles: 1024 } }",
        "agents:",
        "  gemini: { preset: gemini }",
        "  small: { preset: gemini, limits: { memoryMiB: 16384 } }",
        "  claude: { preset: claude }",
        "  huge: { preset: claude, sandbox: none }",
        "defaultAgent: gemini",
      ].join("\n"),
      "devflow.yml",
    );
    const server = config.sandbox.limits;
    const limitsOf = (name: string) => {
      const chosen = config.agents[name];
      if (chosen === undefined || chosen.preset === "fake") throw new Error(`no agent ${name}`);
      return agentLimits(chosen, server);
    };
    expect(limitsOf("gemini")).toEqual({ ...server, memoryMiB: 65_536 });
    expect(limitsOf("small")).toEqual({ ...server, memoryMiB: 16_384 });
    expect(limitsOf("claude")).toEqual(server);
    // A server-wide limit above the preset's need stays.
    expect(agentLimits({ preset: "gemini", mode: "exec" }, { ...server, memoryMiB: 131_072 }).memoryMiB).toBe(
      131_072,
    );
  });

  it("refuses an agent whose home.from is not a directory, naming the path", () => {
    const seeded = parseServerConfig(
      `agents:\n  mine: { preset: command, command: [/usr/bin/true], home: { from: ${join(root, "missing")} } }\ndefaultAgent: mine\n`,
      "devflow.yml",
    ).agents.mine;
    if (seeded === undefined || seeded.preset === "fake") throw new Error("no agent");
    const create = () => createSessionAdapter(seeded, dataDir);
    expect(create).toThrowError(expect.objectContaining({ code: "invalid_server_config" }));
    expect(create).toThrowError(join(root, "missing"));
  });

  it("gives a preset its vendor's API by default, a command agent nothing, and keeps the operator's choice", () => {
    const config = parseServerConfig(
      [
        "agents:",
        "  c: { preset: claude }",
        "  x: { preset: codex }",
        "  g: { preset: gemini }",
        "  off: { preset: claude, network: none }",
        "  mine: { preset: command, command: [/usr/bin/true] }",
        "  served: { preset: command, command: [/usr/bin/true], network: { allow: ['127.0.0.1:8080', api.example.com] } }",
        "defaultAgent: c",
      ].join("\n"),
      "devflow.yml",
    );
    const networks = Object.fromEntries(
      Object.entries(config.agents).map(([name, entry]) => [
        name,
        entry.preset === "fake" ? "fake" : agentNetwork(entry),
      ]),
    );
    expect(networks).toEqual({
      c: { allow: ["api.anthropic.com"] },
      x: { allow: ["api.openai.com"] },
      g: { allow: ["generativelanguage.googleapis.com"] },
      off: "none",
      mine: "none",
      served: { allow: ["127.0.0.1:8080", "api.example.com"] },
    });
  });

  it("refuses to start a sandboxed agent without bubblewrap (sandbox_unavailable), not run it unsandboxed", () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => createSessionAdapter(agent, dataDir)).toThrowError(
        expect.objectContaining({ code: "sandbox_unavailable" }),
      );
      expect(createSessionAdapter({ ...agent, sandbox: "none" }, dataDir).sandbox).toBe("none");
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe("the repository a worktree shows", () => {
  it("follows a worktree's .git only into devflow's mirrors; anything else is shown as the file alone", () => {
    const mirrors = join(dataDir, "mirrors");
    const worktree = join(dataDir, "workspaces", "run", "main");
    mkdirSync(worktree, { recursive: true });
    const gitDir = join(mirrors, "repo.git", "worktrees", "main");
    mkdirSync(gitDir, { recursive: true });
    writeFileSync(join(gitDir, "commondir"), "../..\n");
    writeFileSync(join(worktree, ".git"), `gitdir: ${gitDir}\n`);
    expect(sandboxGitMounts(worktree, mirrors).map((mount) => [mount.kind, mount.path])).toEqual([
      ["ro", join(mirrors, "repo.git")],
      ["tmpfs", join(mirrors, "repo.git", "worktrees")],
      ["ro", gitDir],
      ["ro", join(worktree, ".git")],
    ]);
    // Pointed at the data directory (say by an unsandboxed agent of an earlier phase): not followed.
    const planted = join(dataDir, "worktrees", "x");
    mkdirSync(planted, { recursive: true });
    writeFileSync(join(planted, "commondir"), "../..\n");
    writeFileSync(join(worktree, ".git"), `gitdir: ${planted}\n`);
    expect(sandboxGitMounts(worktree, mirrors)).toEqual([{ kind: "ro", path: join(worktree, ".git") }]);
  });
});
