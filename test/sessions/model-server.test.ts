// The test fixtures themselves: the scripted model server answers and records as the real-CLI tests
// rely on, and a CLI that cannot be installed fails the tests that need it, saying why.
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ModelServer, startModelServer } from "../fixtures/model-server/index.js";
import { CLI_CACHE, installCli } from "../support/agent-clis.js";

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server?.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/** The `data:` payloads of an SSE body, with their `event:` names. */
async function events(response: Response) {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((chunk) => chunk.includes("data: "))
    .map((chunk) => ({
      name: /^event: (.+)$/m.exec(chunk)?.[1],
      data: JSON.parse(/^data: (.+)$/m.exec(chunk)?.[1] ?? "null") as Record<string, unknown>,
    }));
}

const tools = [{ name: "Bash", input_schema: { type: "object" } }];

describe("the scripted model server", () => {
  it("answers the turn the conversation is at, from the request's own history", async () => {
    server = await startModelServer({
      anthropic: [
        (context) => ({
          calls: [{ tool: "shell", command: `echo ${context.userText.length}` }],
          usage: { inputTokens: 10, outputTokens: 2, cacheWriteTokens: 4 },
        }),
        { text: "second", usage: { inputTokens: 20, outputTokens: 3 } },
      ],
    });
    const first = await events(
      await post("/v1/messages?beta=true", {
        model: "m",
        stream: true,
        tools,
        messages: [{ role: "user", content: "hello" }],
      }),
    );
    expect(first.map((event) => event.name)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(first[2]?.data.delta).toEqual({
      type: "input_json_delta",
      partial_json: JSON.stringify({ command: "echo 5", description: "Run a command" }),
    });
    const history = [
      { role: "user", content: "hello" },
      { role: "assistant", content: [] },
      { role: "user", content: [{ type: "tool_result", content: "5" }] },
    ];
    const second = await (await post("/v1/messages", { model: "m", tools, messages: history })).json();
    expect(second).toMatchObject({
      content: [{ type: "text", text: "second" }],
      usage: { input_tokens: 20 },
    });
    // A call offering no tools (Claude's TUI asking for a session title) is answered aside, not as a turn.
    const title = await (
      await post("/v1/messages", { model: "m", messages: [{ role: "user", content: "t" }] })
    ).json();
    expect(title).toMatchObject({ content: [{ type: "text", text: "Scripted session" }] });
    expect(server?.requests.map((request) => request.api)).toEqual([
      "anthropic",
      "anthropic",
      "anthropic-side-call",
    ]);
  });

  it("records every request with its credentials redacted, and answers what is not scripted with 404", async () => {
    server = await startModelServer({});
    const key = "sk-a-secret-that-must-not-be-recorded";
    await post("/v1/responses", { model: "gpt", input: [] }, { authorization: `Bearer ${key}` });
    await post("/v1beta/models/g:generateContent", {}, { "x-goog-api-key": key });
    expect((await fetch(`${server.url}/`, { method: "HEAD" })).status).toBe(404);
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(404);
    expect(server.requests.map((request) => [request.method, request.path, request.api])).toEqual([
      ["POST", "/v1/responses", "openai"],
      ["POST", "/v1beta/models/g:generateContent", "gemini-routing"],
      ["HEAD", "/", "none"],
      ["GET", "/v1/models", "none"],
    ]);
    expect(JSON.stringify(server.requests)).not.toContain(key);
    expect(server.requests[0]?.headers.authorization).toBe("[redacted]");
  });
});

describe("the proxy trap", () => {
  it("records and refuses a CONNECT to another host, as a CLI behind HTTPS_PROXY would send it", async () => {
    server = await startModelServer({});
    const port = server.port;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest({
        host: "127.0.0.1",
        port,
        method: "CONNECT",
        path: "api.example.com:443",
      });
      request.on("connect", (response, socket) => {
        socket.destroy();
        resolve(response.statusCode);
      });
      request.on("error", reject);
      request.end();
    });
    expect(status).toBe(403);
    expect(server.requests.map((request) => `${request.method} ${request.path} ${request.api}`)).toEqual([
      "CONNECT api.example.com:443 none",
    ]);
  });
});

describe("installCli", () => {
  it("fails, naming the package and what to do, when npm cannot reach its registry", async () => {
    const cacheDir = await mkdtemp(join(CLI_CACHE, "..", "devflow-test-clis-offline-"));
    try {
      const offline = { registry: "http://127.0.0.1:9/", cache: join(cacheDir, "npm"), fetch_retries: "0" };
      await expect(installCli("gemini", { cacheDir, npmConfig: offline })).rejects.toThrow(
        /^Could not install @google\/gemini-cli@0\.61\.0 into .* with npm \(.*\)\. These tests run the real CLI/,
      );
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);
});
