// The GitHub App manifest devflow registers itself with: app.yml (exactly the permissions and events
// devflow uses) plus the URLs of this server, taken from the request that opened the setup page.
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { WEBHOOK_PATH } from "../webhook-endpoint.js";

export const SETUP_PATH = "/setup";
export const SETUP_CALLBACK_PATH = "/setup/callback";
/** Where GitHub returns a user signing in to the dashboard (the App's user authorization callback). */
export const SIGN_IN_CALLBACK_PATH = "/sign-in/callback";

/** app.yml at the package root: `src/github/setup/*.ts` (tsx) and `dist/github/setup/*.js` alike. */
export function appManifestPath(): string {
  return fileURLToPath(new URL("../../../app.yml", import.meta.url));
}

export type AppManifest = Record<string, unknown> & {
  name: string;
  hook_attributes: { url: string; active: boolean };
  redirect_url: string;
};

/**
 * The manifest for a server reachable at `baseUrl`. Unlike Probot's ManifestCreation.getManifest, the
 * server's URLs win over app.yml's placeholders (Probot spreads app.yml last, so its example webhook
 * URL would be registered) and the webhook goes to devflow's endpoint, not to `/`.
 */
export function buildAppManifest(baseUrl: string, manifestPath = appManifestPath()): AppManifest {
  const fromFile = parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
  return {
    ...fromFile,
    name: String(fromFile.name ?? "devflow"),
    hook_attributes: { url: `${baseUrl}${WEBHOOK_PATH}`, active: true },
    redirect_url: `${baseUrl}${SETUP_CALLBACK_PATH}`,
    callback_urls: [`${baseUrl}${SIGN_IN_CALLBACK_PATH}`],
  };
}

/**
 * This server's URL as the browser reached it (behind a reverse proxy: X-Forwarded-Proto/-Host, as
 * Probot's setup reads them). GitHub sends webhooks there, so open the setup page at the public URL.
 */
export function requestBaseUrl(request: IncomingMessage): string | undefined {
  const first = (value: string | string[] | undefined) =>
    (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim();
  const forwardedProto = first(request.headers["x-forwarded-proto"]);
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  const protocol = forwardedProto === "https" || (!forwardedProto && encrypted) ? "https" : "http";
  const host = first(request.headers["x-forwarded-host"]) ?? first(request.headers.host);
  // A host header is [host or IPv6 literal][:port]; anything else is refused rather than registered.
  if (!host || !/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) return undefined;
  return `${protocol}://${host}`;
}
