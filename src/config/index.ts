// The public face of src/config/: what other folders may import (docs/architecture.md).
export type { HomeSeed } from "./agent-home.js";
export {
  AGENT_MODES,
  type AgentMode,
  CLI_PRESETS,
  type CliPresetName,
  PROMPT_VIA,
  type PromptVia,
} from "./agent-kinds.js";
export {
  BUDGET_DIMENSIONS,
  type BudgetConfig,
  type BudgetDimension,
  type BudgetLimits,
  type BudgetOverrides,
  budgetOverridesSchema,
  DEFAULT_BUDGETS,
  lowerLimit,
} from "./budgets.js";
export { type AllowEntry, EgressAllowlist, splitHostPort } from "./egress-allowlist.js";
export {
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type Environment,
  type EnvironmentProblem,
  type EnvironmentVariable,
  type GitHubAppCredentials,
  type GitHubEnterprise,
  type LogLevel,
  loadEnvironment,
  UNREGISTERED_HOST,
  withdrawSecrets,
} from "./environment.js";
export { checkDatabaseUrl, checkRedisUrl } from "./environment-checks.js";
export { DEFAULT_INPUT_LIMITS, type InputLimits } from "./input-limits.js";
export { type ModelPrice, type ModelPrices, modelPriceSchema, modelPricesSchema } from "./model-prices.js";
export { DEVFLOW_SECRET_VARIABLES, passThroughProblem } from "./pass-through.js";
export { decodePrivateKey, privateKeyDefect } from "./private-key.js";
export { redactEnvironment, redactUrl } from "./redact-environment.js";
export {
  type PermissionLevel,
  parseRepositoryConfig,
  type RepositoryConfig,
  unreadableRepositoryConfig,
} from "./repository-config.js";
export {
  allowedHosts,
  DEFAULT_SANDBOX,
  runsAsRoot,
  type SandboxKind,
  type SandboxLimits,
  type SandboxNetwork,
  type SandboxSettings,
  sandboxSettings,
} from "./sandbox-settings.js";
export { type AgentConfig, loadServerConfig, type ServerConfig, unsandboxedAgents } from "./server-config.js";
