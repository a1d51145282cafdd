// The server config's per-session resource limits: `sandbox.limits` for every sandboxed agent (with the
// defaults), and an agent's own `limits`, which override them for that agent (see agentSandboxLimits).
import { z } from "zod";
import { DEFAULT_SANDBOX_LIMITS } from "./sandbox-settings.js";

const BOUNDS = {
  maxProcesses: [16, 1_000_000],
  memoryMiB: [256, 1_048_576],
  fileSizeMiB: [1, 1_048_576],
  openFiles: [64, 1_048_576],
} as const;

const bounded = (key: keyof typeof BOUNDS) => z.int().min(BOUNDS[key][0]).max(BOUNDS[key][1]);

/** `sandbox.limits`: every key has its default. */
export const sandboxLimitsSchema = z
  .strictObject({
    maxProcesses: bounded("maxProcesses").default(DEFAULT_SANDBOX_LIMITS.maxProcesses),
    memoryMiB: bounded("memoryMiB").default(DEFAULT_SANDBOX_LIMITS.memoryMiB),
    fileSizeMiB: bounded("fileSizeMiB").default(DEFAULT_SANDBOX_LIMITS.fileSizeMiB),
    openFiles: bounded("openFiles").default(DEFAULT_SANDBOX_LIMITS.openFiles),
  })
  .default(DEFAULT_SANDBOX_LIMITS);

/** An agent's `limits`: only the keys it sets. */
export const agentLimitsSchema = z
  .strictObject({
    maxProcesses: bounded("maxProcesses").optional(),
    memoryMiB: bounded("memoryMiB").optional(),
    fileSizeMiB: bounded("fileSizeMiB").optional(),
    openFiles: bounded("openFiles").optional(),
  })
  .optional();
