// devflow's Probot client against the GitHub simulator, in this process, with the pace of its writes
// chosen: Probot's installation clients keep GitHub's pace for writes with plugin-throttling (one per
// second per installation); `writePaceMs` scales that (benchmarks), 0 turns it off (tests about what is
// written, not when). Probot is built as createProbot builds it, plus that one option.
import Bottleneck from "bottleneck";
import { Probot, ProbotOctokit } from "probot";
import { createLogger } from "../../src/server/logger.js";
import type { GitHubSimulator } from "../github-sim/index.js";

export interface AppClientOptions {
  sim: GitHubSimulator;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** Minimum time between an installation's writes on the client's side (Probot's default: 1000). */
  writePaceMs?: number;
}

export function probotAgainst({
  sim,
  appId,
  privateKey,
  webhookSecret,
  writePaceMs,
}: AppClientOptions): Probot {
  const write =
    writePaceMs === undefined || writePaceMs <= 0
      ? undefined
      : new Bottleneck.Group({ id: "devflow-test-write", maxConcurrent: 1, minTime: writePaceMs });
  const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => {
    const throttle = (options.throttle ?? {}) as Record<string, unknown>;
    if (writePaceMs === 0) return { ...options, throttle: { ...throttle, enabled: false } };
    return write ? { ...options, throttle: { ...throttle, write } } : options;
  });
  return new Probot({
    appId,
    privateKey,
    secret: webhookSecret,
    baseUrl: sim.url,
    log: createLogger("silent").child({ name: "probot" }),
    Octokit,
  });
}
