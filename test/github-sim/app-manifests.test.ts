// The simulator's manifest flow, as GitHub runs it: the "new app" page takes a manifest form and
// redirects back with a one-time code and the caller's state; the code converts once into the new
// app's id, key and secrets (answer checked against GitHub's OpenAPI description).
import { createPrivateKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOpenApi } from "./openapi.js";
import { type SimClient, startSimFixture } from "./sim-fixture.js";

const manifest = {
  name: "My Devflow",
  url: "https://example.com/devflow",
  hook_attributes: { url: "http://127.0.0.1:1/api/github/webhooks" },
  redirect_url: "http://127.0.0.1:1/setup/callback",
  default_permissions: { issues: "write", metadata: "read" },
  default_events: ["issues", "issue_comment"],
};

async function submit(client: SimClient, path: string, body: Record<string, string>) {
  return fetch(`${client.sim.webUrl}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
  });
}

describe.each([{ ghe: false }, { ghe: true }])("GitHub simulator manifest flow (GHE: $ghe)", ({ ghe }) => {
  let client: SimClient;
  const api = loadOpenApi(ghe ? "ghes-3.19" : "api.github.com");
  beforeAll(async () => {
    client = await startSimFixture({ ghe });
  });
  afterAll(() => client.sim.close());

  it("redirects a submitted manifest back to its redirect_url with a code and the given state", async () => {
    const res = await submit(client, "/settings/apps/new?state=s-123", {
      manifest: JSON.stringify(manifest),
    });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location") ?? "");
    expect(`${back.origin}${back.pathname}`).toBe(manifest.redirect_url);
    expect(back.searchParams.get("state")).toBe("s-123");
    expect(back.searchParams.get("code")).toMatch(/^[0-9a-f]{40}$/);
  });

  it("converts the code once into an app with the manifest's permissions and events, a key and secrets", async () => {
    const res = await submit(client, "/organizations/acme/settings/apps/new", {
      manifest: JSON.stringify(manifest),
    });
    const code = new URL(res.headers.get("location") ?? "").searchParams.get("code");
    const converted = await client.call("POST", `/app-manifests/${code}/conversions`, { auth: "none" });
    expect(converted.status).toBe(201);
    const check = api.validateResponse("POST", `/app-manifests/${code}/conversions`, 201, converted.body);
    expect(check.errors).toEqual([]);
    const app = converted.body as Record<string, unknown>;
    expect(app).toMatchObject({
      name: "My Devflow",
      slug: "my-devflow",
      owner: { login: "acme", type: "Organization" },
      permissions: manifest.default_permissions,
      events: manifest.default_events,
      html_url: `${client.sim.webUrl}/apps/my-devflow`,
    });
    expect(createPrivateKey(String(app.pem)).asymmetricKeyType).toBe("rsa");
    expect(app.webhook_secret).toMatch(/^[0-9a-f]{40}$/);
    expect(client.sim.state.registeredApps.get(Number(app.id))?.webhookSecret).toBe(app.webhook_secret);

    const again = await client.call("POST", `/app-manifests/${code}/conversions`, { auth: "none" });
    expect(again.status).toBe(404);
    const logged = JSON.stringify(client.sim.requests);
    for (const secret of [app.pem, app.webhook_secret, app.client_secret]) {
      expect(logged).not.toContain(String(secret).slice(0, 40));
    }
  });

  it("refuses a manifest without a webhook URL or redirect URL, and handing out no code", async () => {
    const { hook_attributes: _hook, ...noHook } = manifest;
    const res = await submit(client, "/settings/apps/new", { manifest: JSON.stringify(noHook) });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("hook_attributes.url");
    const unknown = await client.call("POST", "/app-manifests/0123456789abcdef/conversions", {
      auth: "none",
    });
    expect(unknown.status).toBe(404);
  });
});
