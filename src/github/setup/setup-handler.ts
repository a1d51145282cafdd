// devflow's setup page: registers the GitHub App from app.yml through GitHub's manifest flow
// (https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest) and keeps
// the credentials in the data directory.
//
// Why not Probot's setupAppFactory/ManifestCreation: it writes the credentials into `.env` in the working
// directory (devflow keeps them in the data directory, mode 0600), it fetches smee-client with npx at run
// time, it reads app.yml from the working directory and lets app.yml's placeholder webhook URL win over
// the server's, and its callback takes any code — no `state` ties it to a page this server showed, so
// anyone could make devflow run as an app of theirs. The exchange itself goes through Probot's Octokit.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { ProbotOctokit } from "probot";
import { DevflowError } from "../../errors/index.js";
import type { GitHubUrls } from "../github-urls.js";
import { buildAppManifest, requestBaseUrl, SETUP_CALLBACK_PATH, SETUP_PATH } from "./app-manifest.js";
import {
  readSavedAppCredentials,
  type SavedAppCredentials,
  saveAppCredentials,
} from "./saved-app-credentials.js";
import { registeredPage, setupPage, setupTokenPage, statusPage } from "./setup-pages.js";

export interface SetupHandlerOptions {
  readonly github: GitHubUrls;
  readonly dataDir: string;
  readonly log: Logger;
  /** The one-time token of this process, printed in its log: the setup page is served only with it. */
  readonly token: string;
  /** A registration saved earlier: the page then says so and links to installing the app. */
  readonly registered?: SavedAppCredentials;
  /** Called once the credentials are saved, before the browser is sent on to install the app. */
  onRegistered(saved: SavedAppCredentials): Promise<void>;
}

const STATE_LIFETIME_MS = 60 * 60_000; // GitHub's code lives an hour too
const MAX_PENDING_STATES = 100;
const ORG_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

interface ConversionResponse {
  id: number;
  slug?: string;
  html_url: string;
  client_id: string;
  client_secret: string;
  webhook_secret: string | null;
  pem: string;
}

function send(response: ServerResponse, status: number, html: string, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers }).end(html);
  return true;
}

function redirect(response: ServerResponse, location: string) {
  response
    .writeHead(302, { location, "content-type": "text/plain" })
    .end(`Found. Redirecting to ${location}`);
  return true;
}

/** Compares digests, so neither the token's length nor its bytes show in the time taken. */
function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** Serves GET /setup and GET /setup/callback (and redirects / to /setup); false for other paths. */
export function createSetupHandler(options: SetupHandlerOptions) {
  const pending = new Map<string, number>();
  let registered = options.registered;
  let registering = false;
  // Debug lines of Octokit's request logging would name the one-time code: keep them out.
  const octokitLog = options.log.child({ name: "app-registration" });
  if (octokitLog.levelVal < 30) octokitLog.level = "info";

  const newState = (): string => {
    const now = Date.now();
    for (const [state, expiresAt] of pending) if (expiresAt <= now) pending.delete(state);
    while (pending.size >= MAX_PENDING_STATES) pending.delete(pending.keys().next().value as string);
    const state = randomBytes(24).toString("base64url");
    pending.set(state, now + STATE_LIFETIME_MS);
    return state;
  };

  const takeState = (state: string | null): boolean => {
    if (state === null) return false;
    const expiresAt = pending.get(state);
    pending.delete(state);
    return expiresAt !== undefined && expiresAt > Date.now();
  };

  async function exchange(code: string): Promise<ConversionResponse> {
    const octokit = new ProbotOctokit({ baseUrl: options.github.api, log: octokitLog });
    try {
      const { data } = await octokit.request("POST /app-manifests/{code}/conversions", { code });
      return data as ConversionResponse;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      throw new DevflowError(
        `GitHub refused to turn the registration code into credentials (${typeof status === "number" ? `HTTP ${status}` : "no answer"} from ${options.github.api}).`,
        { code: "app_registration_failed", details: { status } },
      );
    }
  }

  async function callback(url: URL, response: ServerResponse): Promise<boolean> {
    const code = url.searchParams.get("code");
    if (!code || !/^[\w-]{1,100}$/.test(code)) {
      return send(
        response,
        400,
        statusPage(
          "No registration code",
          "GitHub's redirect carries no valid ?code=. Open the setup page and register again.",
          SETUP_PATH,
        ),
      );
    }
    if (!takeState(url.searchParams.get("state"))) {
      return send(
        response,
        400,
        statusPage(
          "Unknown registration",
          "This registration was not started from this devflow's setup page, or it started more than an hour ago. Nothing was saved; open the setup page and register again.",
          SETUP_PATH,
        ),
      );
    }
    if (registered || registering) {
      return send(
        response,
        409,
        statusPage(
          "Already registered",
          "devflow is already registered (or a registration is being saved). Nothing was changed.",
          SETUP_PATH,
        ),
      );
    }
    registering = true;
    try {
      const app = await exchange(code);
      if (!app.webhook_secret) {
        // devflow refuses unsigned webhooks, so an app without a secret cannot run.
        throw new DevflowError(
          `GitHub registered app ${app.id} without a webhook secret; nothing was saved.`,
          {
            code: "app_registration_failed",
            recoveryHint: `Set a webhook secret on ${app.html_url} and start devflow with APP_ID, PRIVATE_KEY and WEBHOOK_SECRET.`,
          },
        );
      }
      const file = saveAppCredentials(options.dataDir, {
        appId: app.id,
        slug: app.slug ?? String(app.id),
        htmlUrl: app.html_url,
        githubUrl: options.github.web,
        clientId: app.client_id,
        clientSecret: app.client_secret,
        webhookSecret: app.webhook_secret,
        privateKey: app.pem,
        registeredAt: new Date().toISOString(),
      });
      const saved = readSavedAppCredentials(options.dataDir);
      if (!saved) throw new Error(`${file} vanished right after it was written`);
      registered = saved;
      options.log.info(
        { appId: app.id, slug: saved.registration.slug, file },
        "GitHub App registered; credentials saved",
      );
      try {
        await options.onRegistered(saved);
      } catch (error) {
        options.log.error({ err: error }, "the registered GitHub App could not be started; restart devflow");
        return send(
          response,
          500,
          statusPage(
            "Registered, not started",
            `The credentials are saved in ${file}, but the app could not be started. Restart devflow: it will run as the saved app.`,
            SETUP_PATH,
          ),
        );
      }
      return redirect(response, `${app.html_url}/installations/new`);
    } catch (error) {
      const shown = error instanceof DevflowError ? error : undefined;
      options.log.warn({ code: shown?.code ?? "internal_error" }, "GitHub App registration failed");
      return send(
        response,
        502,
        statusPage(
          "Registration failed",
          shown
            ? `${shown.message} ${shown.recoveryHint}`
            : "Saving the credentials failed; see devflow's log.",
          SETUP_PATH,
        ),
      );
    } finally {
      registering = false;
    }
  }

  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (request.method !== "GET") return false;
    const url = new URL(request.url ?? "/", "http://devflow.invalid");
    if (url.pathname === "/" && !registered) return redirect(response, SETUP_PATH);
    if (url.pathname === SETUP_CALLBACK_PATH) return callback(url, response);
    if (url.pathname !== SETUP_PATH) return false;
    if (registered) return send(response, 200, registeredPage(registered.registration));
    if (!sameToken(url.searchParams.get("token"), options.token)) {
      return send(response, 403, setupTokenPage(), { "cache-control": "no-store" });
    }
    const baseUrl = requestBaseUrl(request);
    if (!baseUrl)
      return send(
        response,
        400,
        statusPage(
          "Unusable Host header",
          "Open the setup page at devflow's public URL (GitHub sends webhooks there).",
          SETUP_PATH,
        ),
      );
    const org = url.searchParams.get("org");
    if (org !== null && !ORG_LOGIN.test(org)) {
      return send(
        response,
        400,
        statusPage(
          "Unusable organization",
          "?org= takes an organization's login, e.g. ?org=acme.",
          SETUP_PATH,
        ),
      );
    }
    const createUrl = `${options.github.web}${org ? `/organizations/${org}` : ""}/settings/apps/new?state=${newState()}`;
    return send(
      response,
      200,
      setupPage({
        createUrl,
        github: options.github.web,
        manifest: buildAppManifest(baseUrl),
        orgPath: `${SETUP_PATH}?token=${encodeURIComponent(options.token)}&org=`,
        ...(org ? { org } : {}),
      }),
      { "cache-control": "no-store" },
    );
  };
}
