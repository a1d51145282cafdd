// The egress proxy of one agent session: an HTTP proxy on a unix socket (bound into the sandbox, see
// egress-forwarder.ts) that lets through only the destinations of the agent's allowlist — CONNECT for
// https, plain forwarding for http — and reports every refusal. It connects to the address it resolved
// itself, never to the name again, so an allowlisted name cannot be re-pointed at the host's loopback
// between the check and the connection.
// Its files live in `<dir>/run/` (the socket and the forwarder; that directory is what the sandbox sees,
// at /run/devflow), inside `<dir>`, 0700, which keeps other users of the host out. A proxy restarted in
// the same `dir` (a worker resuming a tmux pane that outlived the previous one) serves the socket path
// the pane's sandbox already shows.
import { lookup } from "node:dns/promises";
import { chmod, lstat, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { connect, isIP, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { type AllowEntry, EgressAllowlist, splitHostPort } from "../../config/index.js";
import { writeForwarder } from "./egress-forwarder.js";

export interface EgressRefusal {
  /** `host:port` as the agent asked for it. */
  readonly target: string;
  readonly reason: string;
}

export interface EgressProxyOptions {
  /** The operator's `network.allow` entries for this agent. */
  readonly allow: readonly string[];
  /** Called for each refused connection (the adapter writes it into the session transcript). */
  readonly onRefused?: (refusal: EgressRefusal) => void;
  /** The `dir` of an earlier proxy of the same session, to serve its socket path again. */
  readonly dir?: string;
}

type Resolved = { readonly address: string; readonly port: number } | EgressRefusal;

export class EgressProxy {
  /** The proxy's own directory (0700): where a restarted proxy of the same session must listen again. */
  readonly dir: string;
  /** What the sandbox is shown (`<dir>/run`): the socket and the forwarder. */
  readonly sharedDir: string;
  /** The unix socket the proxy listens on (the socket itself 0666; `dir` guards it on the host). */
  readonly socketPath: string;
  /** The forwarder program the sandbox runs to reach the socket (see egress-forwarder.ts). */
  forwarderPath = "";
  readonly #server: Server;
  readonly #open = new Set<Duplex>();
  readonly #refused: EgressRefusal[] = [];

  private constructor(dir: string, server: Server) {
    this.dir = dir;
    this.sharedDir = join(dir, "run");
    this.socketPath = join(this.sharedDir, "egress.sock");
    this.#server = server;
  }

  /**
   * Starts a proxy for `options.allow`, in a new directory or in `options.dir` (which must still be this
   * user's own 0700 directory). Throws on an entry that is not `host` or `host:port`.
   */
  static async start(options: EgressProxyOptions): Promise<EgressProxy> {
    const allowlist = new EgressAllowlist(options.allow);
    // A short path of its own: unix socket paths are limited to 107 bytes, a data directory is not.
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "devflow-egress-")));
    if (options.dir !== undefined) await checkOwnDirectory(dir);
    const shared = join(dir, "run");
    await mkdir(shared, { recursive: true });
    await chmod(shared, 0o755); // the sandbox uid must reach the socket inside
    await rm(join(shared, "egress.sock"), { force: true }); // left by a proxy that died with its worker
    const server = createServer();
    const proxy = new EgressProxy(dir, server);
    server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) =>
      proxy.#tunnel(allowlist, options, req, client, head),
    );
    server.on("request", (req: IncomingMessage, res: ServerResponse) =>
      proxy.#forward(allowlist, options, req, res),
    );
    server.on("connection", (socket: Socket) => proxy.#track(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(proxy.socketPath, () => resolve());
    });
    // The agent runs as another uid (as root: the sandbox uid); only the directory's mode guards the host side.
    await chmod(proxy.socketPath, 0o666);
    proxy.forwarderPath = await writeForwarder(shared);
    return proxy;
  }

  /** Every refusal so far. */
  refusals(): readonly EgressRefusal[] {
    return [...this.#refused];
  }

  async close(): Promise<void> {
    for (const socket of this.#open) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }

  #track(socket: Duplex): void {
    this.#open.add(socket);
    socket.once("close", () => this.#open.delete(socket));
  }

  #refuse(options: EgressProxyOptions, target: string, reason: string): EgressRefusal {
    const refusal = { target, reason };
    this.#refused.push(refusal);
    try {
      options.onRefused?.(refusal);
    } catch {
      // a failing listener must not keep the refusal from the agent
    }
    return refusal;
  }

  async #resolve(
    allowlist: EgressAllowlist,
    options: EgressProxyOptions,
    authority: string,
    defaultPort: number,
  ): Promise<Resolved> {
    const split = splitHostPort(authority.toLowerCase());
    if (split === undefined) return this.#refuse(options, authority, "not a host:port");
    const port = split.port ?? defaultPort;
    const target = `${isIP(split.host) === 6 ? `[${split.host}]` : split.host}:${port}`;
    const entry: AllowEntry | undefined = allowlist.match(split.host, port, defaultPort);
    if (entry === undefined) return this.#refuse(options, target, "not in the agent's network.allow");
    let address: string;
    try {
      address = isIP(split.host) === 0 ? (await lookup(split.host)).address : split.host;
    } catch {
      return this.#refuse(options, target, "the name does not resolve");
    }
    if (!EgressAllowlist.addressAllowed(entry, address)) {
      return this.#refuse(options, target, `resolves to ${address}, an address of this host or its network`);
    }
    return { address, port };
  }

  async #tunnel(
    allowlist: EgressAllowlist,
    options: EgressProxyOptions,
    req: IncomingMessage,
    client: Duplex,
    head: Buffer,
  ): Promise<void> {
    client.on("error", () => client.destroy());
    const resolved = await this.#resolve(allowlist, options, req.url ?? "", 443);
    if ("reason" in resolved) {
      client.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\ndevflow egress proxy: ${resolved.target} ${resolved.reason}\n`,
      );
      return;
    }
    const upstream = connect(resolved.port, resolved.address);
    this.#track(upstream);
    upstream.once("connect", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => {
      if (!client.writableEnded) client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      client.destroy();
    });
    client.once("close", () => upstream.destroy());
  }

  async #forward(
    allowlist: EgressAllowlist,
    options: EgressProxyOptions,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      this.#refuse(options, req.url ?? "", "not an absolute http:// URL");
      res.writeHead(400).end("devflow egress proxy: send absolute http:// URLs, or CONNECT for https\n");
      return;
    }
    if (url.protocol !== "http:") {
      this.#refuse(
        options,
        url.host,
        `scheme ${url.protocol} (only http:// is forwarded; https goes through CONNECT)`,
      );
      res.writeHead(400).end("devflow egress proxy: only http:// is forwarded\n");
      return;
    }
    const resolved = await this.#resolve(allowlist, options, url.host, 80);
    if ("reason" in resolved) {
      res.writeHead(403, { "content-type": "text/plain" });
      res.end(`devflow egress proxy: ${resolved.target} ${resolved.reason}\n`);
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const upstream = request({
      host: resolved.address,
      port: resolved.port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
    });
    upstream.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
}

/** `dir` must be a directory (not a link) of this user's with no access for others, as mkdtemp made it. */
async function checkOwnDirectory(dir: string): Promise<void> {
  const stat = await lstat(dir);
  const own = process.getuid === undefined || stat.uid === process.getuid();
  if (!stat.isDirectory() || !own || (stat.mode & 0o077) !== 0)
    throw new Error(`${dir} is not this user's private directory: an egress proxy does not listen there`);
}
