// A throwaway redis-server on a free loopback port, for tests and local runs on machines that have
// Redis installed but not running. It keeps nothing on disk: Postgres is devflow's truth, and the
// reconciler rebuilds every job from Postgres after a Redis that restarts empty.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { delimiter, join } from "node:path";
import { DevflowError } from "../errors/index.js";
import { findFreePort } from "./free-port.js";
import { serviceEnvironment } from "./service-environment.js";

export interface SpawnedRedis {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The path of `redis-server` on PATH, or undefined. */
export function findRedisServer(path = process.env.PATH ?? ""): string | undefined {
  return path
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, "redis-server"))
    .find((candidate) => existsSync(candidate));
}

/** Whether a server answers on `port` (an authentication error is an answer too). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      const reply = data.toString();
      resolve(reply.startsWith("+PONG") || reply.startsWith("-NOAUTH"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface SpawnRedisOptions {
  /** Requires this password (`requirepass`); the URL then carries it. */
  password?: string;
}

export async function spawnRedisServer(
  binary = findRedisServer(),
  options: SpawnRedisOptions = {},
): Promise<SpawnedRedis> {
  if (!binary) {
    throw new DevflowError("No redis-server on PATH.", { code: "redis_unavailable" });
  }
  const port = await findFreePort();
  const child: ChildProcess = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      ...(options.password ? ["--requirepass", options.password] : []),
    ],
    { stdio: "ignore", env: serviceEnvironment() },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new DevflowError(`redis-server (${binary}) did not start on port ${port}.`, {
        code: "redis_unavailable",
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: options.password
      ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`
      : `redis://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
