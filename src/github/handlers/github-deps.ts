import type { ServerConfig } from "../../config/index.js";
import type { PrismaClient } from "../../db/index.js";
import type { DispatchEngine, EngineLog } from "../../engine/index.js";

/** What the GitHub side of devflow is given (no module-level singletons). */
export interface GitHubDeps {
  prisma: PrismaClient;
  engine: DispatchEngine;
  serverConfig: ServerConfig;
  log: EngineLog;
}
