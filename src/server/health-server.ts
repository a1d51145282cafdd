import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { DevflowError } from "../errors/index.js";

export type HealthState = "starting" | "ready" | "stopping";

type RouteHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface HealthServer {
  readonly port: number;
  /** Where it listens now (see `rebind`). */
  readonly host: string;
  readonly url: string;
  /** Listens on `host` instead, same port; requests in progress finish on their connections. */
  rebind(host: string): Promise<void>;
  /** Other routes (the GitHub webhook endpoint); returns false for a path it does not serve. */
  setHandler(handler: RouteHandler): void;
  setState(state: HealthState, details?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/**
 * Serves GET /healthz: 200 only once start-up is done (migrations applied, registry loaded), 503
 * while starting or stopping, so a load balancer or an orchestrator sends work only when it can be
 * taken. It listens first, so start-up progress is observable.
 */
export async function startHealthServer(port: number, host: string): Promise<HealthServer> {
  let state: HealthState = "starting";
  let details: Record<string, unknown> = {};
  let handler: RouteHandler | undefined;
  const notFound = (response: ServerResponse) => {
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: "not found" }));
  };
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== "/healthz") {
      if (!handler) return notFound(response);
      handler(request, response).then(
        (handled) => {
          if (!handled) notFound(response);
        },
        () => {
          if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
          response.end(JSON.stringify({ error: "internal error" }));
        },
      );
      return;
    }
    response.writeHead(state === "ready" ? 200 : 503, { "content-type": "application/json" });
    response.end(JSON.stringify({ status: state, ...details }));
  });
  // A body GitHub sends arrives within seconds; a connection that drips one byte at a time is dropped.
  server.requestTimeout = 60_000;
  const listen = (onHost: string, onPort: number) =>
    new Promise<void>((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === "EADDRINUSE"
            ? new DevflowError(`Port ${onPort} on ${onHost} is already in use.`, {
                code: "port_in_use",
                cause: error,
              })
            : error,
        );
      };
      server.once("error", failed);
      server.listen(onPort, onHost, () => {
        server.off("error", failed);
        resolve();
      });
    });
  await listen(host, port);
  let boundHost = host;
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return {
    port: boundPort,
    get host() {
      return boundHost;
    },
    url: `http://${shownHost}:${boundPort}`,
    async rebind(nextHost) {
      if (nextHost === boundHost) return;
      // close() stops listening at once (open connections go on); the port is free for the new listener.
      server.close();
      await listen(nextHost, boundPort);
      boundHost = nextHost;
    },
    setHandler(next) {
      handler = next;
    },
    setState(next, nextDetails) {
      state = next;
      if (nextDetails) details = nextDetails;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
