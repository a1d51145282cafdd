// How an agent in a sandbox without a network reaches its egress proxy: the proxy's unix socket is bound
// into the sandbox, and a one-file node program inside listens on 127.0.0.1:<port> of the sandbox's own
// loopback, copies each connection to the socket, and starts the agent once it listens. The agent's
// HTTP(S)_PROXY variables name that port. Nothing else inside can reach anything outside.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Mount } from "../sandbox-mounts.js";

/** Where the proxy's directory, with its socket and the forwarder, appears inside the sandbox. */
export const INSIDE_DIR = "/run/devflow";
export const INSIDE_SOCKET = `${INSIDE_DIR}/egress.sock`;
export const INSIDE_FORWARDER = `${INSIDE_DIR}/egress-forwarder.mjs`;
/** The forwarder's port on the sandbox's own loopback (its own network namespace: no clash). */
export const FORWARDER_PORT = 3128;

const FORWARDER_SCRIPT = `// devflow egress forwarder: 127.0.0.1:<port> inside the sandbox -> the egress proxy's unix socket.
import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { constants } from "node:os";
const [socketPath, port, program, ...args] = process.argv.slice(2);
const server = createServer((client) => {
  const upstream = connect(socketPath);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.pipe(upstream).pipe(client);
});
server.listen(Number(port), "127.0.0.1", () => {
  const agent = spawn(program, args, { stdio: "inherit" });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => agent.kill(signal));
  agent.on("error", (error) => {
    process.stderr.write("devflow egress forwarder: could not start " + program + ": " + error.message + "\\n");
    process.exit(127);
  });
  agent.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
});
`;

/** Writes the forwarder program into `dir` (the proxy's own directory) and returns its path. */
export async function writeForwarder(dir: string): Promise<string> {
  const path = join(dir, "egress-forwarder.mjs");
  await writeFile(path, FORWARDER_SCRIPT, { mode: 0o644 });
  return path;
}

export interface EgressEndpoint {
  /** The directory holding the socket and the forwarder (EgressProxy.sharedDir). */
  readonly sharedDir: string;
}

/**
 * The mount that shows the proxy's socket and the forwarder inside the sandbox: their directory, not the
 * socket file, so that a proxy restarted in the same directory (a new socket file) is reached too.
 * connect() on a socket needs no write access to the mount: read-only is enough.
 */
export function egressMounts(endpoint: EgressEndpoint): Mount[] {
  return [{ kind: "ro", path: INSIDE_DIR, source: endpoint.sharedDir }];
}

/** `command` started by the forwarder, with the node that runs devflow. */
export function forwardedCommand(command: readonly string[]): string[] {
  return [process.execPath, INSIDE_FORWARDER, INSIDE_SOCKET, String(FORWARDER_PORT), ...command];
}

/** The proxy variables of an agent with an allowlist (upper and lower case: tools read either). */
export function proxyEnvironment(): Record<string, string> {
  const url = `http://127.0.0.1:${FORWARDER_PORT}`;
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    // Everything goes through the proxy, loopback included: inside, the loopback holds only the forwarder.
    NO_PROXY: "",
    no_proxy: "",
  };
}
