// The simulator's user authorization (web application flow): authorize form → code → token → GET /user,
// with the answers of GET /user checked against GitHub's OpenAPI description; a wrong secret, a reused
// code and an unknown token are refused as GitHub refuses them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOpenApi } from "./openapi.js";
import { type SimClient, startSimFixture } from "./sim-fixture.js";

describe.each([{ ghe: false }, { ghe: true }])("GitHub simulator OAuth (GHE: $ghe)", ({ ghe }) => {
  let client: SimClient;
  const api = loadOpenApi(ghe ? "ghes-3.19" : "api.github.com");
  beforeAll(async () => {
    client = await startSimFixture({ ghe });
  });
  afterAll(() => client.sim.close());

  const authorize = async (login: string, state = "st-1") => {
    const { oauth, webUrl } = client.sim;
    const page = await fetch(
      `${webUrl}/login/oauth/authorize?client_id=${oauth.clientId}&redirect_uri=${encodeURIComponent("http://127.0.0.1:9/cb")}&state=${state}`,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="login"');
    const posted = await fetch(`${webUrl}/login/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        login,
        client_id: oauth.clientId,
        redirect_uri: "http://127.0.0.1:9/cb",
        state,
      }).toString(),
    });
    expect(posted.status).toBe(302);
    const back = new URL(posted.headers.get("location") ?? "");
    expect(back.searchParams.get("state")).toBe(state);
    return back.searchParams.get("code") ?? "";
  };
  const exchange = async (code: string, secret = client.sim.oauth.clientSecret) => {
    const response = await fetch(`${client.sim.webUrl}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: client.sim.oauth.clientId,
        client_secret: secret,
        code,
      }).toString(),
    });
    return (await response.json()) as Record<string, string>;
  };

  it("signs a user in: the code becomes a token once, and GET /user answers who it is", async () => {
    const code = await authorize("octocat");
    const token = await exchange(code);
    expect(token).toMatchObject({ token_type: "bearer", access_token: expect.stringMatching(/^ghu_/) });
    expect(await exchange(code)).toEqual({ error: "bad_verification_code" });
    const user = await client.call("GET", "/user", { auth: `Bearer ${token.access_token}` });
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ login: "octocat", type: "User" });
    expect(api.validateResponse("GET", "/user", 200, user.body).errors).toEqual([]);
  });

  it("refuses a wrong client secret and an unknown token", async () => {
    const code = await authorize("octocat");
    expect(await exchange(code, "not-the-secret")).toEqual({ error: "incorrect_client_credentials" });
    const user = await client.call("GET", "/user", { auth: "Bearer ghu_forged" });
    expect(user.status).toBe(401);
    expect(api.validateResponse("GET", "/user", 401, user.body).errors).toEqual([]);
  });
});
