// Which destinations an agent's egress proxy lets through: the hosts (`host` or `host:port`) the operator
// lists for that agent. A bare host allows its usual port (443 through CONNECT, 80 for plain http); a
// port must be named to reach anything else. A name that resolves to a loopback, private or link-local
// address is refused unless the operator listed that address itself: an allowlisted name must not become
// a way into Postgres, Redis or devflow's own port (DNS rebinding).
import { isIP } from "node:net";

/** `host:port` or `host` (any case); an IPv6 address in brackets (`[::1]:8080`). */
export interface AllowEntry {
  readonly host: string;
  readonly port?: number;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/;

/** The entry `text` names, or a sentence saying what is wrong with it. */
export function parseAllowEntry(text: string): AllowEntry | string {
  const split = splitHostPort(text.trim().toLowerCase());
  if (split === undefined) return "is not host or host:port (e.g. api.anthropic.com or 127.0.0.1:8080)";
  const { host, port } = split;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535))
    return "has a port outside 1-65535";
  if (isIP(host) === 0 && !HOSTNAME.test(host)) return "is not a host name or an IP address";
  return port === undefined ? { host: host.replace(/\.$/, "") } : { host: host.replace(/\.$/, ""), port };
}

/** `host` and `port` of a CONNECT target or a URL authority; undefined when malformed. */
export function splitHostPort(text: string): { host: string; port?: number } | undefined {
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(text);
  if (bracketed?.[1] !== undefined) {
    return bracketed[2] === undefined
      ? { host: bracketed[1] }
      : { host: bracketed[1], port: Number(bracketed[2]) };
  }
  if (isIP(text) === 6) return { host: text };
  const plain = /^([^:/\s[\]@]+)(?::(\d{1,5}))?$/.exec(text);
  if (plain?.[1] === undefined) return undefined;
  return plain[2] === undefined ? { host: plain[1] } : { host: plain[1], port: Number(plain[2]) };
}

export class EgressAllowlist {
  readonly #entries: readonly AllowEntry[];

  constructor(entries: readonly string[]) {
    this.#entries = entries.map((text) => {
      const entry = parseAllowEntry(text);
      if (typeof entry === "string") throw new Error(`network.allow entry "${text}" ${entry}`);
      return entry;
    });
  }

  /** The entry that lets `host:port` through (`defaultPort`: the scheme's, 443 or 80), if any. */
  match(host: string, port: number, defaultPort: number): AllowEntry | undefined {
    const name = host.toLowerCase().replace(/\.$/, "");
    return this.#entries.find(
      (entry) =>
        entry.host === name && (entry.port === undefined ? port === defaultPort : entry.port === port),
    );
  }

  /**
   * Whether a connection to `address` (what `entry`'s host resolved to) may be made: an address inside
   * the host (loopback, private, link-local, unspecified) only when the operator listed it literally.
   */
  static addressAllowed(entry: AllowEntry, address: string): boolean {
    if (isIP(entry.host) !== 0) return true; // listed as an address: the operator's explicit choice
    return !isInternalAddress(address);
  }
}

/** Loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified, or an IPv4-mapped one of these. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return isInternalAddress(mapped);
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split(".").map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  const lower = address.toLowerCase();
  return (
    lower === "::" ||
    lower === "::1" ||
    lower.startsWith("fc") ||
    lower.startsWith("fd") ||
    /^fe[89ab]/.test(lower)
  );
}
