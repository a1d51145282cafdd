// The public face of src/github/: what other folders may import (docs/architecture.md).
export { createDevflowApp } from "./app.js";
export { authorizeSender } from "./authorization/authorize-sender.js";
export type { AuthorizationDecision } from "./authorization/decide-authorization.js";
export { installationContext } from "./authorization/installation-context.js";
export { nextClaimableAt } from "./effects/claim-effect.js";
export type { Octokit } from "./effects/deliver-effect.js";
export { deliverNextEffect } from "./effects/effects-worker.js";
export type { EventContext } from "./event-context.js";
export { githubUrls } from "./github-urls.js";
export type { GitHubDeps } from "./handlers/github-deps.js";
export { audit } from "./intake/audit.js";
export { deliveryRecord } from "./intake/delivery-log.js";
export { type DeliveryListing, listDeliveries, replayDeliveries } from "./intake/failed-deliveries.js";
export { createProbot, gitAuthHeaderFor, mountGitHubApp } from "./mount-github-app.js";
export { requestBaseUrl, SETUP_PATH, SIGN_IN_CALLBACK_PATH } from "./setup/app-manifest.js";
export {
  readSavedAppCredentials,
  type SavedAppCredentials,
  savedCredentialsPath,
} from "./setup/saved-app-credentials.js";
export { createSetupHandler } from "./setup/setup-handler.js";
