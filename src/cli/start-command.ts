import { loadEnvironment, redactEnvironment, withdrawSecrets } from "../config/index.js";
import {
  createLogger,
  type Logger,
  type RunningDevflow,
  type ServerRole,
  startDevflow,
} from "../server/index.js";

export interface StartFromEnvironmentOptions {
  /** Default process.env; its secrets are deleted from it once read. */
  readonly source?: Record<string, string | undefined>;
  /** Where the log goes (default stdout). */
  readonly logTo?: NodeJS.WritableStream;
}

/**
 * `devflow start`'s start-up: the environment is read and validated once, its secrets then leave
 * process.env (devflow passes every value on explicitly), and devflow starts.
 */
export async function startFromEnvironment(
  role: ServerRole,
  options: StartFromEnvironmentOptions = {},
): Promise<{ devflow: RunningDevflow; logger: Logger }> {
  const source = options.source ?? process.env;
  const env = loadEnvironment(source);
  const withdrawn = withdrawSecrets(source);
  const logger = createLogger(env.logLevel, options.logTo);
  logger.info({ environment: redactEnvironment(env), withdrawn }, "starting devflow");
  return { devflow: await startDevflow({ env, logger, role }), logger };
}

/** Runs until SIGINT/SIGTERM, then stops everything it started; a second signal exits at once. */
export async function runStartCommand(role: ServerRole = "all"): Promise<number> {
  const { devflow, logger } = await startFromEnvironment(role);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  logger.info({ signal }, "stopping devflow (send the signal again to exit at once)");
  const force = () => process.exit(130);
  process.once("SIGINT", force);
  process.once("SIGTERM", force);
  await devflow.stop();
  logger.info("devflow stopped");
  return 0;
}
