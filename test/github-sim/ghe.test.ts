// GitHub Enterprise Server mode: the REST API under /api/v3 (what Probot builds from GHE_HOST and
// GHE_PROTOCOL), git and web URLs at the host root, and GHES's headers on responses and webhooks.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, type SimClient, startSimFixture } from "./sim-fixture.js";

describe("GitHub simulator in GitHub Enterprise Server mode", () => {
  let client: SimClient;
  beforeAll(async () => {
    client = await startSimFixture({ ghe: true });
  });
  afterAll(() => client.sim.close());

  it("serves the REST API under /api/v3 of GHE_HOST, with the enterprise version header", async () => {
    expect(client.sim.url).toBe(`http://${client.sim.gheHost}/api/v3`);
    const res = await client.call("GET", `/repos/${REPO}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-github-enterprise-version")).toMatch(/^3\.\d+/);
    expect(res.body).toMatchObject({
      url: `http://${client.sim.gheHost}/api/v3/repos/${REPO}`,
      clone_url: `http://${client.sim.gheHost}/${REPO}.git`,
    });
  });

  it("answers REST paths outside /api/v3 with 404", async () => {
    const res = await fetch(`${client.sim.webUrl}/repos/${REPO}`, {
      headers: { authorization: `token ${await client.token()}` },
    });
    expect(res.status).toBe(404);
  });

  it("serves git at the host root, outside /api/v3", async () => {
    const dir = await mkdtemp(join(tmpdir(), "github-sim-ghe-"));
    try {
      const header = `Authorization: Basic ${Buffer.from(`x-access-token:${await client.token()}`).toString("base64")}`;
      const code = await new Promise<number>((resolve) => {
        execFile(
          "git",
          [
            "-c",
            `http.extraHeader=${header}`,
            "clone",
            `${client.sim.webUrl}/${REPO}.git`,
            join(dir, "clone"),
          ],
          { env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" } },
          (error) => resolve(error ? 1 : 0),
        );
      });
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("sends webhooks with GHES's X-GitHub-Enterprise-Host and -Version headers", async () => {
    let headers: IncomingHttpHeaders = {};
    const receiver = createServer((req, res) => {
      headers = req.headers;
      req.resume().on("end", () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
      await client.sim.webhooks.deliver("ping", { zen: "z" }, { target });
      expect(headers["x-github-enterprise-host"]).toBe(client.sim.gheHost);
      expect(headers["x-github-enterprise-version"]).toMatch(/^3\.\d+/);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
