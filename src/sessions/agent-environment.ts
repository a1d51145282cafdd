// The environment an agent process gets (DESIGN §4): an allowlist, never a copy of devflow's own.
import { passThroughProblem } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { proxyEnvironment } from "./egress/egress-forwarder.js";

export { DEVFLOW_SECRET_VARIABLES, passThroughProblem } from "../config/index.js";

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
  /**
   * Whether the agent reaches the network through its sandbox's egress proxy: then, and only then, the
   * HTTP(S)_PROXY and NO_PROXY variables name the proxy's forwarder (never taken from `source`).
   */
  readonly egress?: boolean;
  /** Variables the agent's preset sets (see AgentPreset.env), never devflow's secrets. */
  readonly presetEnv?: Readonly<Record<string, string>>;
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
 * (default xterm-256color), the contract variables, the named pass-through variables and, for an
 * agent with a network allowlist, the proxy variables — nothing else. Throws
 * `agent_passthrough_forbidden` naming a variable that may not be passed through.
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
    ...input.presetEnv,
    ...(input.egress === true ? proxyEnvironment() : {}),
    ...input.contract,
  };
}
