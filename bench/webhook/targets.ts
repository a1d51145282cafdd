// The two servers measured: devflow's web process (`devflow start web`, as deployed) and the bare Probot
// floor, each a process of its own on this machine, both talking to the same GitHub simulator.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LogLevel } from "../../src/config/environment.js";
import { findFreePort } from "../../src/server/free-port.js";
import { spawnDevflow, waitForHealthy } from "../../test/support/devflow-process.js";
import { onAbort } from "../engine/abort-cleanup.js";

export interface Target {
  name: string;
  webhookUrl: string;
  pid: number;
  stop(): Promise<void>;
}

export interface Credentials {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  logLevel: LogLevel;
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

function stopper(child: ChildProcess, exited: Promise<unknown>) {
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const forget = onAbort(stop);
  return async () => {
    await stop();
    forget();
  };
}

/** A floor server: a script of this folder in a process of its own, ready once it prints "ready". */
async function startFloor(name: string, script: string, env: NodeJS.ProcessEnv): Promise<Target> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ["--import", "tsx", `bench/webhook/${script}`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let output = "";
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    void exited.then(() => reject(new Error(`${name} exited before it was ready:\n${output}`)));
  });
  child.stdout?.resume();
  return {
    name,
    webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
    pid: child.pid ?? 0,
    stop: stopper(child, exited),
  };
}

export function startBareProbot(credentials: Credentials): Promise<Target> {
  return startFloor("bare Probot", "bare-probot.ts", {
    APP_ID: String(credentials.appId),
    PRIVATE_KEY: credentials.privateKey,
    WEBHOOK_SECRET: credentials.webhookSecret,
    LOG_LEVEL: credentials.logLevel,
  });
}

/**
 * The floor of a durable acknowledgement (durable-floor.ts) on a database of its own; with `write: "none"`
 * the floor of any acknowledgement that waits on Postgres (a round trip, nothing stored).
 */
export function startDurableFloor(
  credentials: Credentials,
  databaseUrl: string,
  write: "insert" | "none" = "insert",
): Promise<Target> {
  return startFloor(write === "insert" ? "durable floor" : "round trip", "durable-floor.ts", {
    DATABASE_URL: databaseUrl,
    WEBHOOK_SECRET: credentials.webhookSecret,
    FLOOR_WRITE: write,
  });
}

export async function startDevflowWeb(
  credentials: Credentials,
  options: { databaseUrl: string; dataDir: string; gheHost: string },
  name = "devflow web",
): Promise<Target> {
  const configPath = join(options.dataDir, "devflow.yml");
  writeFileSync(configPath, "agents:\n  fake: { preset: fake }\n");
  const port = await findFreePort();
  const web = spawnDevflow(["start", "web"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: options.databaseUrl, // no REDIS_URL: the queue lives in the bench's own database
    APP_ID: String(credentials.appId),
    PRIVATE_KEY: credentials.privateKey,
    WEBHOOK_SECRET: credentials.webhookSecret,
    GHE_HOST: options.gheHost,
    GHE_PROTOCOL: "http",
    DEVFLOW_DATA_DIR: join(options.dataDir, name.replaceAll(" ", "-")),
    DEVFLOW_CONFIG: configPath,
    DEVFLOW_HOST_ID: "bench-web",
    LOG_LEVEL: credentials.logLevel,
  });
  const stop = stopper(web.child, web.exited);
  await waitForHealthy(port, web).catch(async (error) => {
    await stop();
    throw error;
  });
  return {
    name,
    webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
    pid: web.child.pid ?? 0,
    stop,
  };
}
