// The public face of src/server/: what other folders may import (docs/architecture.md).
export { createLogger, type Logger } from "./logger.js";
export { type Services, startServices } from "./services.js";
export { type RunningDevflow, type ServerRole, startDevflow } from "./start-devflow.js";
