import { loadEnvironment } from "../config/environment.js";
import { redactEnvironment } from "../config/redact-environment.js";
import { createLogger } from "../server/logger.js";
import { type ServerRole, startDevflow } from "../server/start-devflow.js";

/** Runs until SIGINT/SIGTERM, then stops everything it started; a second signal exits at once. */
export async function runStartCommand(role: ServerRole = "all"): Promise<number> {
  const env = loadEnvironment();
  const logger = createLogger(env.logLevel);
  logger.info({ environment: redactEnvironment(env) }, "starting devflow");
  const devflow = await startDevflow({ env, logger, role });
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
