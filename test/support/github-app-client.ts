// devflow's Probot client against the GitHub simulator, in this process, with the pace of its writes
// chosen: Probot's installation clients keep GitHub's pace with plugin-throttling — per installation, a
// write at most every second, and a write that notifies people (a new comment, issue or pull request)
// at most every 3 seconds. `writePaceMs` scales both, keeping that ratio (benchmarks); 0 turns the
// throttling off (tests about what is written, not when). Probot is built as createProbot builds it,
// plus that one option.
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

/** plugin-throttling's pace for writes that notify people, as a multiple of its pace for writes. */
export const NOTIFYING_WRITE_FACTOR = 3;

export function probotAgainst({
  sim,
  appId,
  privateKey,
  webhookSecret,
  writePaceMs,
}: AppClientOptions): Probot {
  const paced =
    writePaceMs === undefined || writePaceMs <= 0
      ? undefined
      : {
          write: new Bottleneck.Group({ id: "devflow-test-write", maxConcurrent: 1, minTime: writePaceMs }),
          notifications: new Bottleneck.Group({
            id: "devflow-test-notifications",
            maxConcurrent: 1,
            minTime: writePaceMs * NOTIFYING_WRITE_FACTOR,
          }),
        };
  const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => {
    const throttle = (options.throttle ?? {}) as Record<string, unknown>;
    if (writePaceMs === 0) return { ...options, throttle: { ...throttle, enabled: false } };
    return paced ? { ...options, throttle: { ...throttle, ...paced } } : options;
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
