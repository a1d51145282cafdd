// The network of a sandboxed agent, shown by attack: a `command` agent (test/fixtures/egress-agent.mjs),
// run through the real ExecSessionAdapter in its bubblewrap sandbox, tries its allowlisted model server,
// another host, Postgres and Redis (through the proxy and directly), and a name on its allowlist that
// resolves to the host's loopback. Only the allowlisted address answers; every refusal is in the
// transcript. An agent without an allowlist has no network at all.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  execRun,
  FIXTURES_DIR,
  removeRunFolders,
  sent,
  stopStartedSessions,
  untilExited,
  untilFile,
} from "./exec-agent-runs.js";

const EGRESS_AGENT = `${FIXTURES_DIR}egress-agent.mjs`;
let modelServer: Server;
let port = 0;
const served: string[] = [];

beforeAll(async () => {
  modelServer = createServer((req, res) => {
    served.push(`${req.method} ${req.url}`);
    res.end(`model-server ${req.url}`);
  });
  await new Promise<void>((resolve) => modelServer.listen(0, "127.0.0.1", resolve));
  port = (modelServer.address() as AddressInfo).port;
});
afterEach(stopStartedSessions);
afterAll(async () => {
  await removeRunFolders();
  await new Promise((resolve) => modelServer.close(resolve));
});

function attempts() {
  return [
    { name: "allowedGet", via: "get", url: `http://127.0.0.1:${port}/v1/messages` },
    { name: "allowedTunnel", via: "connect", target: `127.0.0.1:${port}` },
    { name: "otherHost", via: "get", url: "http://example.com/" },
    { name: "otherHostTunnel", via: "connect", target: "example.com:443" },
    { name: "postgres", via: "connect", target: "127.0.0.1:5432" },
    { name: "redis", via: "connect", target: "127.0.0.1:6379" },
    { name: "postgresByHttp", via: "get", url: "http://127.0.0.1:5432/" },
    // allowlisted as a name, but the name is the host's loopback: refused
    { name: "redisByName", via: "connect", target: "localhost:6379" },
    { name: "postgresDirect", via: "direct", host: "127.0.0.1", port: 5432 },
    { name: "redisDirect", via: "direct", host: "127.0.0.1", port: 6379 },
  ];
}

type Outcome = { status?: number; body?: string; error?: string; connected?: boolean };

async function runEgressAgent(network: "none" | { allow: string[] }) {
  const run = await execRun({
    command: [process.execPath, EGRESS_AGENT, JSON.stringify(attempts())],
    sandbox: { readOnlyPaths: [FIXTURES_DIR], network },
  });
  const prompt = await sent(run, "egress");
  await untilExited(run.adapter, run.handle);
  const results = JSON.parse(await untilFile(prompt.expectedArtifact)) as Record<string, Outcome> & {
    proxyVariables: string[];
  };
  const transcript = await readFile(run.handle.transcriptPath ?? "", "utf8");
  return { results, transcript };
}

describe("the egress proxy of a sandboxed agent", () => {
  it("lets through only the allowlisted address and refuses and logs everything else", async () => {
    served.length = 0;
    const { results, transcript } = await runEgressAgent({ allow: [`127.0.0.1:${port}`, "localhost:6379"] });
    expect(results.allowedGet).toEqual({ status: 200, body: "model-server /v1/messages" });
    expect(results.allowedTunnel?.status).toBe(200);
    expect(results.allowedTunnel?.body).toContain("model-server /through-tunnel");
    expect(served).toEqual(["GET /v1/messages", "GET /through-tunnel"]);
    for (const refused of [
      "otherHost",
      "otherHostTunnel",
      "postgres",
      "redis",
      "postgresByHttp",
      "redisByName",
    ]) {
      expect(results[refused], refused).toMatchObject({ status: 403 });
    }
    // Without the proxy there is nothing: the sandbox's loopback is its own.
    expect(results.postgresDirect).toEqual({ error: "ECONNREFUSED" });
    expect(results.redisDirect).toEqual({ error: "ECONNREFUSED" });
    expect(results.proxyVariables).toEqual([
      "HTTPS_PROXY",
      "HTTP_PROXY",
      "NO_PROXY",
      "http_proxy",
      "https_proxy",
      "no_proxy",
    ]);
    expect(transcript).toContain("egress proxy refused example.com:80: not in the agent's network.allow");
    expect(transcript).toContain("egress proxy refused example.com:443: not in the agent's network.allow");
    expect(transcript).toContain("egress proxy refused 127.0.0.1:5432: not in the agent's network.allow");
    expect(transcript).toContain("egress proxy refused 127.0.0.1:6379: not in the agent's network.allow");
    expect(transcript).toMatch(
      /egress proxy refused localhost:6379: resolves to (127\.0\.0\.1|::1), an address of this host/,
    );
    expect(transcript).toContain(
      `network only to 127.0.0.1:${port}, localhost:6379 through devflow's egress proxy`,
    );
  });

  it("gives an agent without an allowlist no network at all", async () => {
    served.length = 0;
    const { results, transcript } = await runEgressAgent("none");
    expect(results.proxyVariables).toEqual([]);
    expect(results.allowedGet).toEqual({ error: "no HTTPS_PROXY in the environment" });
    expect(results.postgresDirect).toEqual({ error: "ECONNREFUSED" });
    expect(results.redisDirect).toEqual({ error: "ECONNREFUSED" });
    expect(served).toEqual([]);
    expect(transcript).toContain("in its sandbox (bubblewrap, no network)");
  });
});
