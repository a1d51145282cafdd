// GitHub's manifest flow (registering a GitHub App from a manifest): the "new app" page takes a POSTed
// manifest and, once the user confirms (here: at once), redirects to the manifest's redirect_url with
// a one-time code and the `state` it was given; `POST /app-manifests/{code}/conversions` turns the code
// into the new app's id, key, webhook secret and OAuth client.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, isoNow, readBody } from "./http.js";
import type { RegisteredAppRecord } from "./records.js";
import type { GitHubState } from "./state.js";

/** `/settings/apps/new` (a user's app) or `/organizations/<org>/settings/apps/new` (an organization's). */
export const NEW_APP_PATH = /^(?:\/organizations\/([^/]+))?\/settings\/apps\/new$/;
const CODE_LIFETIME_MS = 60 * 60_000;

function page(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
  return status;
}

/** Why GitHub's form would refuse the manifest, or undefined. */
function manifestProblem(manifest: Record<string, unknown>): string | undefined {
  const hook = manifest.hook_attributes as { url?: unknown } | undefined;
  if (typeof manifest.url !== "string") return "url is required";
  if (typeof hook?.url !== "string") return "hook_attributes.url is required";
  if (typeof manifest.redirect_url !== "string") return "redirect_url is required for the flow to come back";
  try {
    new URL(hook.url);
    new URL(manifest.redirect_url);
  } catch {
    return "hook_attributes.url and redirect_url must be URLs";
  }
  return undefined;
}

/** The "new app" page: POST with a form-encoded `manifest`; answers the redirect GitHub makes. */
export async function handleNewAppPage(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: GitHubState,
): Promise<number> {
  if (req.method !== "POST") return page(res, 405, "POST the manifest form here.");
  const form = new URLSearchParams((await readBody(req)).toString("utf8"));
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(form.get("manifest") ?? "") as Record<string, unknown>;
  } catch {
    return page(res, 422, "Invalid GitHub App configuration: the manifest is not JSON.");
  }
  const problem = manifestProblem(manifest);
  if (problem) return page(res, 422, `Invalid GitHub App configuration: ${problem}.`);
  const org = NEW_APP_PATH.exec(url.pathname)?.[1];
  const code = issueManifestCode(state, manifest, org);
  const back = new URL(String(manifest.redirect_url));
  back.searchParams.set("code", code);
  const given = url.searchParams.get("state");
  if (given !== null) back.searchParams.set("state", given);
  res.writeHead(302, { location: back.toString() }).end();
  return 302;
}

/** A one-time code for `manifest`, as the page issues when the user confirms the new app. */
export function issueManifestCode(
  state: GitHubState,
  manifest: Record<string, unknown>,
  org?: string,
): string {
  const owner = org ? state.user(org, "Organization") : state.app.owner;
  const code = randomBytes(20).toString("hex");
  state.manifestCodes.set(code, { code, manifest, owner, expiresAt: Date.now() + CODE_LIFETIME_MS });
  return code;
}

function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "app"
  );
}

/** Converts a one-time code into a registered app; a used, unknown or expired code is GitHub's 404. */
export function convertManifestCode(state: GitHubState, code: string): RegisteredAppRecord {
  const pending = state.manifestCodes.get(code);
  state.manifestCodes.delete(code);
  if (!pending || pending.expiresAt <= Date.now()) throw new ApiError(404, "Not Found");
  const name = String(pending.manifest.name ?? "app");
  const id = state.nextId();
  const taken = [...state.registeredApps.values()].some((r) => r.app.slug === slugOf(name));
  const slug = taken ? `${slugOf(name)}-${id}` : slugOf(name);
  const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  }) as string;
  const registered: RegisteredAppRecord = {
    app: { id, slug, name, owner: pending.owner, createdAt: isoNow() },
    manifest: pending.manifest,
    clientId: `Iv1.${randomBytes(8).toString("hex")}`,
    clientSecret: randomBytes(20).toString("hex"),
    webhookSecret: randomBytes(20).toString("hex"),
    pem,
  };
  state.registeredApps.set(id, registered);
  return registered;
}
