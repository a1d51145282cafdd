// The programs devflow runs: git, tmux (for agents in tmux mode) and each agent CLI of the server config.
import { execFileSync } from "node:child_process";
import type { AgentConfig, ServerConfig } from "../../config/index.js";
import { agentLaunch } from "../../sessions/index.js";
import { type DoctorCheck, fail, ok, warn } from "./doctor-report.js";
import { findExecutable } from "./find-executable.js";

function versionOf(program: string, args: string[]): string | undefined {
  try {
    return execFileSync(program, args, {
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .trim()
      .split("\n")[0];
  } catch {
    return undefined;
  }
}

export function checkGit(path: string | undefined): DoctorCheck {
  const git = findExecutable("git", path);
  if (!git) {
    return fail(
      "git",
      "not found on PATH",
      "Install git (2.x) and make sure it is on the PATH devflow runs with.",
    );
  }
  const version = versionOf(git, ["--version"]);
  if (!version)
    return fail("git", `${git} does not run`, "Reinstall git, or put a working git first on PATH.");
  return ok("git", `${version} (${git})`);
}

export function tmuxAgents(config: ServerConfig | undefined): string[] {
  return Object.entries(config?.agents ?? {})
    .filter(([, agent]) => agent.preset !== "fake" && agent.mode === "tmux")
    .map(([name]) => name);
}

export function checkTmux(path: string | undefined, config: ServerConfig | undefined): DoctorCheck {
  const needers = tmuxAgents(config);
  const tmux = findExecutable("tmux", path);
  const version = tmux ? versionOf(tmux, ["-V"]) : undefined;
  if (tmux && version) return ok("tmux", `${version} (${tmux})`);
  const found = tmux ? `${tmux} does not run` : "not found on PATH";
  if (needers.length > 0) {
    return fail(
      "tmux",
      `${found}; needed by the agent${needers.length === 1 ? "" : "s"} ${needers.join(", ")} (mode: tmux)`,
      "Install tmux (3.x) and put it on PATH, or switch those agents to mode: exec in the server config.",
    );
  }
  return warn(
    "tmux",
    `${found}; not needed now (no agent uses mode: tmux)`,
    "Install tmux before configuring an agent with mode: tmux.",
  );
}

/** An agent's program: on PATH, an absolute executable, or (with a "./") relative to each run's worktree. */
export function checkAgent(
  name: string,
  agent: AgentConfig,
  path: string | undefined,
  configPath?: string,
): DoctorCheck {
  const label = `agent ${name}`;
  if (agent.preset === "fake") return ok(label, "fake agent (built in, for trying devflow out)");
  const program = agentLaunch(agent).argv[0] ?? "";
  const where = configPath ? ` in ${configPath}` : "";
  if (program.includes("/") && !program.startsWith("/")) {
    return warn(
      label,
      `runs ${program}, a path relative to each run's worktree, which cannot be checked here`,
      `Make sure every repository holds ${program} (executable), or give agents.${name}.command an absolute path${where}.`,
    );
  }
  const found = findExecutable(program, path);
  if (found) return ok(label, `${agent.preset} (${agent.mode}): ${found}`);
  const fix =
    agent.preset === "command"
      ? `Install ${program} or correct agents.${name}.command${where}; the path must be executable by the user devflow runs as.`
      : `Install the ${agent.preset} CLI so that \`${program}\` is on devflow's PATH, or remove agents.${name}${where}.`;
  return fail(
    label,
    `${agent.preset} (${agent.mode}): ${program} is not ${program.startsWith("/") ? "an executable file" : "on PATH"}`,
    fix,
  );
}
