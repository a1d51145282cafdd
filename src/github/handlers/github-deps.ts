import type { ServerConfig } from "../../config/server-config.js";
import type { PrismaClient } from "../../db/generated/client.js";
import type { DispatchEngine } from "../../engine/dispatch-engine.js";
import type { EngineLog } from "../../engine/worker-context.js";

/** What the GitHub side of devflow is given (no module-level singletons). */
export interface GitHubDeps {
  prisma: PrismaClient;
  engine: DispatchEngine;
  serverConfig: ServerConfig;
  log: EngineLog;
}
