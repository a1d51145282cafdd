// A session's egress proxy, as the adapters start it: only for a sandboxed agent with a network
// allowlist (an agent without one has no network at all; an unsandboxed one has the host's).

import { allowedHosts, type SandboxSettings } from "../../config/index.js";
import type { SessionSandbox } from "../sandbox-launch.js";
import { EgressProxy } from "./egress-proxy.js";

/**
 * The session's proxy, whose refusals are handed to `note` as transcript lines; undefined if none.
 * `dir`: the directory of the session's earlier proxy, to listen where its sandbox looks.
 */
export async function sessionEgress(
  settings: SandboxSettings,
  note: (line: string) => void,
  dir?: string,
): Promise<EgressProxy | undefined> {
  const allow = allowedHosts(settings.network);
  if (settings.kind === "none" || allow === undefined) return undefined;
  return EgressProxy.start({
    allow,
    onRefused: ({ target, reason }) => note(`egress proxy refused ${target}: ${reason}`),
    ...(dir === undefined ? {} : { dir }),
  });
}

/** How the transcript describes where the agent runs. */
export function describeSandbox(sandbox: SessionSandbox | undefined): string {
  if (sandbox === undefined) return "UNSANDBOXED (sandbox: none)";
  const allow = allowedHosts(sandbox.settings.network);
  return allow === undefined || sandbox.egress === undefined
    ? "in its sandbox (bubblewrap, no network)"
    : `in its sandbox (bubblewrap, network only to ${allow.join(", ")} through devflow's egress proxy)`;
}

/** The egress proxies of an adapter's live sessions (the tmux adapter keeps no session object). */
export class SessionEgresses {
  readonly #proxies = new Map<string, EgressProxy>();

  /**
   * Starts the session's proxy (replacing one left from a previous start), or none; in `dir` when the
   * session's pane outlived the worker that started its first proxy there.
   */
  async open(
    sessionId: string,
    settings: SandboxSettings,
    note: (line: string) => void,
    dir?: string,
  ): Promise<EgressProxy | undefined> {
    const live = this.#proxies.get(sessionId);
    if (dir !== undefined && live?.dir === dir) return live; // resumed by the process that runs its proxy
    await this.close(sessionId);
    const proxy = await sessionEgress(settings, note, dir);
    if (proxy !== undefined) this.#proxies.set(sessionId, proxy);
    return proxy;
  }

  async close(sessionId: string): Promise<void> {
    const proxy = this.#proxies.get(sessionId);
    this.#proxies.delete(sessionId);
    await proxy?.close();
  }
}
