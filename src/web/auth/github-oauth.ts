// Sign-in with GitHub through the App's own user authorization (the web application flow). The client
// id and secret are those the manifest flow returned, saved by the setup page in github-app.json.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { savedCredentialsPath } from "../../github/index.js";

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

const savedClient = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });

/** The App's OAuth client from the data directory, or undefined when the setup page saved none. */
export function readOAuthClient(dataDir: string): OAuthClient | undefined {
  let text: string;
  try {
    text = readFileSync(savedCredentialsPath(dataDir), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = savedClient.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function authorizeUrl(
  webRoot: string,
  client: OAuthClient,
  redirectUri: string,
  state: string,
): string {
  const url = new URL("/login/oauth/authorize", webRoot);
  url.searchParams.set("client_id", client.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  return url.toString();
}

/** The user's token for a code; throws when GitHub refuses it (a reused or forged code). */
export async function exchangeCode(
  webRoot: string,
  client: OAuthClient,
  code: string,
  redirectUri: string,
): Promise<string> {
  const response = await fetch(new URL("/login/oauth/access_token", webRoot), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code,
      redirect_uri: redirectUri,
    }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!response.ok || !body.access_token)
    throw new Error(`GitHub refused the sign-in code (${body.error ?? response.status})`);
  return body.access_token;
}

export async function fetchGitHubUser(
  apiRoot: string,
  token: string,
): Promise<{ login: string; id: bigint }> {
  const response = await fetch(`${apiRoot}/user`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json" },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GitHub did not say who signed in (${response.status})`);
  const user = (await response.json()) as { login: string; id: number };
  return { login: user.login, id: BigInt(user.id) };
}
