// Every DevflowError code, in one place. A code is stable: scripts, tests and people match on it.
// Each entry gives the class (what the caller should do about it) and a default recovery hint; the
// entries live by area in codes/, and a code appears in exactly one of them.
import { AGENT_CODES } from "./codes/agents.js";
import type { CodeSpec } from "./codes/code-spec.js";
import { FOUNDATION_CODES } from "./codes/foundations.js";
import { GITHUB_CODES } from "./codes/github.js";
import { RUN_CODES } from "./codes/runs.js";

export type { ErrorClass } from "./codes/code-spec.js";

export const ERROR_CODES = {
  ...FOUNDATION_CODES,
  ...AGENT_CODES,
  ...RUN_CODES,
  ...GITHUB_CODES,
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
