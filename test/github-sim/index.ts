// The GitHub simulator: a stateful fake GitHub on loopback for devflow's tests (DESIGN §6).
export { createAppJwt, verifyAppJwt } from "./app-jwt.js";
export { MAX_ANNOTATIONS_PER_REQUEST, MAX_OUTPUT_CHARS } from "./check-runs.js";
export { loadOpenApi, type OpenApiFlavor, type ResponseCheck } from "./openapi.js";
export type { Payloads } from "./payloads.js";
export type * from "./records.js";
export { COMMENT_MAX_CHARS } from "./routes/issues.js";
export type { ScriptedFailure } from "./script.js";
export type { LoggedRequest } from "./server.js";
export {
  allRoutes,
  DEFAULT_PERMISSIONS,
  type GitHubSimulator,
  type GitHubSimulatorOptions,
  startGitHubSimulator,
} from "./start-github-simulator.js";
export type { GitHubState } from "./state.js";
export { allExamples, exampleFor, type WebhookExample } from "./webhook-examples.js";
export { type DeliverOptions, type DeliveryResult, signPayload } from "./webhooks.js";
export { GITHUB_ACTIONS_APP_SLUG, type WorkflowTriggers } from "./workflow-triggers.js";
