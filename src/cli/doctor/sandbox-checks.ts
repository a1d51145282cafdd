// The agents' sandbox: bubblewrap present and a trial sandbox, built as an agent's would be, starting; and
// which process containment is in force (a PID namespace per session, or none for `sandbox: none`).

import type { ServerConfig } from "../../config/index.js";
import { DEFAULT_SANDBOX, runsAsRoot, type SandboxSettings } from "../../config/index.js";
import { bwrapOnPath, trySandbox } from "../../sessions/index.js";
import { type DoctorCheck, fail, ok, warn } from "./doctor-report.js";

const INSTALL = "Install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) on every worker host";

function agentsBy(config: ServerConfig | undefined, sandboxed: boolean): string[] {
  return Object.entries(config?.agents ?? {})
    .filter(([, agent]) => agent.preset !== "fake" && (agent.sandbox !== "none") === sandboxed)
    .map(([name]) => name);
}

const list = (names: readonly string[]) => `${names.length === 1 ? "agent" : "agents"} ${names.join(", ")}`;

/** `sandbox` (bubblewrap usable) and `process containment` (what ends an agent's processes). */
export async function checkSandbox(
  config: ServerConfig | undefined,
  path: string | undefined,
): Promise<DoctorCheck[]> {
  const sandboxed = agentsBy(config, true);
  const unsandboxed = agentsBy(config, false);
  return [await bubblewrapCheck(config, path, sandboxed), containmentCheck(sandboxed, unsandboxed)];
}

async function bubblewrapCheck(
  config: ServerConfig | undefined,
  path: string | undefined,
  sandboxed: readonly string[],
): Promise<DoctorCheck> {
  const name = "sandbox";
  const bwrap = bwrapOnPath(path);
  if (bwrap === undefined) {
    if (sandboxed.length === 0) {
      return warn(
        name,
        "bubblewrap (bwrap) not found on PATH; not needed now (no agent runs in a sandbox)",
        `${INSTALL} before configuring an agent other than fake: agents run in its sandbox by default.`,
      );
    }
    return fail(
      name,
      `bubblewrap (bwrap) not found on PATH; needed by the ${list(sandboxed)}, which run in its sandbox`,
      `${INSTALL}, then run devflow doctor again.`,
    );
  }
  const settings: SandboxSettings = {
    ...(config?.sandbox ?? DEFAULT_SANDBOX),
    kind: "bubblewrap",
    network: "none",
  };
  const trial = await trySandbox(settings, path);
  if (!trial.ok) {
    return fail(
      name,
      `${bwrap}${trial.version ? ` (${trial.version})` : ""} cannot start a sandbox: ${trial.error}`,
      "Make sure unprivileged user namespaces are allowed (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 an AppArmor profile for bwrap) or run devflow as root, and that setpriv and prlimit (util-linux) are installed.",
    );
  }
  const who = runsAsRoot() ? `as uid ${trial.uid} (devflow runs as root)` : `as devflow's uid ${trial.uid}`;
  const users = sandboxed.length === 0 ? "no agent uses it now" : `used by the ${list(sandboxed)}`;
  return ok(name, `${trial.version} (${bwrap}): a trial sandbox ran ${who}, no network; ${users}`);
}

function containmentCheck(sandboxed: readonly string[], unsandboxed: readonly string[]): DoctorCheck {
  const name = "process containment";
  const contained = sandboxed.length > 0 ? `PID namespace via bubblewrap for the ${list(sandboxed)}` : "";
  if (unsandboxed.length === 0) {
    return ok(
      name,
      contained
        ? `${contained}: every process an agent starts ends with its session`
        : "no agent process to contain (the fake agent runs inside devflow)",
    );
  }
  return warn(
    name,
    `${contained ? `${contained}; ` : ""}none for the ${list(unsandboxed)} (sandbox: none): they run as devflow's own user, see its data directory, and their processes can outlive their phase`,
    "Remove `sandbox: none` from those agents in the server config unless running them unsandboxed is a deliberate choice.",
  );
}
