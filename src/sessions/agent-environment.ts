// The environment an agent process gets (DESIGN §4): an allowlist, never a copy of devflow's own.
import { passThroughProblem } from "../config/pass-through.js";
import { DevflowError } from "../errors/index.js";

export { DEVFLOW_SECRET_VARIABLES, passThroughProblem } from "../config/pass-through.js";

const CONTRACT_NAME = /^DEVFLOW_[A-Z0-9_]+$/;
const FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";

export interface AgentEnvironmentInput {
  /** The session's own HOME directory. */
  readonly home: string;
  /** Variables the operator named for this agent (its API key), copied from `source` when set there. */
  readonly passThrough: readonly string[];
  /** The DEVFLOW_* contract variables (DEVFLOW_PROMPT_FILE, DEVFLOW_ARTIFACT_PATH, …). */
  readonly contract: Readonly<Record<string, string>>;
  /** Where PATH, LANG, TERM and the pass-through values come from; default `process.env`. */
  readonly source?: NodeJS.ProcessEnv;
}

/** Throws `agent_passthrough_forbidden`, naming the first variable that may not be passed through. */
export function checkPassThrough(names: readonly string[]): void {
  for (const name of names) {
    const problem = passThroughProblem(name);
    if (problem !== undefined) {
      throw new DevflowError(`The agent pass-through variable ${name} ${problem}.`, {
        code: "agent_passthrough_forbidden",
        details: { variable: name },
      });
    }
  }
}

/**
 * The whole environment of an agent process: PATH, HOME (= `home`), LANG (default C.UTF-8), TERM
 * (default xterm-256color), the contract variables and the named pass-through variables — nothing
 * else. Throws `agent_passthrough_forbidden` naming a variable that may not be passed through.
 */
export function buildAgentEnvironment(input: AgentEnvironmentInput): Record<string, string> {
  const source = input.source ?? process.env;
  checkPassThrough(input.passThrough);
  for (const name of Object.keys(input.contract)) {
    if (!CONTRACT_NAME.test(name)) {
      throw new DevflowError(`The agent contract variable ${name} is not a DEVFLOW_* name.`, {
        code: "internal_error",
        details: { variable: name },
      });
    }
  }
  const env: Record<string, string> = {};
  for (const name of input.passThrough) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    PATH: source.PATH || FALLBACK_PATH,
    HOME: input.home,
    LANG: source.LANG || "C.UTF-8",
    TERM: source.TERM || "xterm-256color",
    ...input.contract,
  };
}
