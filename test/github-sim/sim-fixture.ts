// Shared set-up for the simulator's own tests: an app key pair, a started simulator with one repository,
// and a small fetch helper that authenticates as the App (JWT) or as an installation (token).
import { generateKeyPairSync } from "node:crypto";
import { createAppJwt } from "./app-jwt.js";
import { type GitHubSimulator, startGitHubSimulator } from "./start-github-simulator.js";

export const APP_ID = 4242;
export const WEBHOOK_SECRET = "sim-webhook-secret";
export const REPO = "acme/widgets";

let keyPair: { privateKey: string } | undefined;

export function appPrivateKey(): string {
  keyPair ??= {
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string,
  };
  return keyPair.privateKey;
}

export interface Call {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface SimClient {
  sim: GitHubSimulator;
  /** A request to the REST API; `auth` is "app" (JWT), "token" (installation token), "none" or a header. */
  call(
    method: string,
    path: string,
    options?: { auth?: "app" | "token" | "none" | string; body?: unknown; accept?: string },
  ): Promise<Call>;
  /** An installation token for the repository's installation, fetched as Octokit would. */
  token(): Promise<string>;
}

export async function startSimFixture(
  options: { ghe?: boolean; installationPermissions?: Record<string, "read" | "write"> } = {},
): Promise<SimClient> {
  const sim = await startGitHubSimulator({
    appId: APP_ID,
    privateKey: appPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    ghe: options.ghe,
    installationPermissions: options.installationPermissions,
  });
  await sim.state.createRepository("acme", "widgets", {
    files: { "README.md": "# widgets\n", ".github/devflow.yml": "label: devflow\n" },
  });
  let cached: string | undefined;
  const client: SimClient = {
    sim,
    async call(method, path, { auth = "token", body, accept } = {}) {
      const headers: Record<string, string> = { accept: accept ?? "application/vnd.github+json" };
      if (auth === "app") headers.authorization = `Bearer ${createAppJwt(APP_ID, appPrivateKey())}`;
      else if (auth === "token") headers.authorization = `token ${await client.token()}`;
      else if (auth !== "none") headers.authorization = auth;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(`${sim.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const json =
        response.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : undefined;
      return { status: response.status, headers: response.headers, body: json, text };
    },
    async token() {
      if (!cached) {
        const installation = sim.state.installationFor("acme");
        const jwt = createAppJwt(APP_ID, appPrivateKey());
        const response = await fetch(`${sim.url}/app/installations/${installation.id}/access_tokens`, {
          method: "POST",
          headers: { authorization: `Bearer ${jwt}`, accept: "application/vnd.github+json" },
        });
        cached = ((await response.json()) as { token: string }).token;
      }
      return cached;
    },
  };
  return client;
}
