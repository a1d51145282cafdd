// `npm ci` on the oldest Node devflow supports must not warn EBADENGINE for a package devflow uses:
// every locked package's `engines.node` accepts the lowest version of each range devflow declares.
// content-type 3 (via probot → @octokit/request) wanted Node 22; npm `overrides` pins 2.1.0, whose
// parse() gives the same results for the headers @octokit/request reads.
import { readFileSync } from "node:fs";
import semver from "semver";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(new URL("package-lock.json", root), "utf8")) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};

/**
 * Locked packages that want a newer Node and why that is harmless. Only code devflow never runs
 * belongs here: npm still prints its warning on Node 20.
 */
const HARMLESS: Record<string, string> = {
  // The prisma CLI's `prisma dev` local server (via @prisma/dev); devflow runs its own Postgres.
  "node_modules/@prisma/streams-local": "only `prisma dev` loads it",
};

describe("Node engines of the locked packages", () => {
  it("accept the oldest Node of each range devflow declares", () => {
    const oldest = manifest.engines.node.split("||").map((range) => semver.minVersion(range.trim())?.version);
    expect(oldest).toEqual(["20.19.0", "22.12.0", "24.0.0"]);
    const refused = Object.entries(lock.packages)
      // Optional packages are platform bindings (e.g. wasm32) npm skips where they do not fit.
      .filter(([path, entry]) => path !== "" && !(path in HARMLESS) && !entry.optional)
      .flatMap(([path, entry]) => {
        const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        if (!wanted) return [];
        return oldest
          .filter((version) => !semver.satisfies(version ?? "", wanted))
          .map((version) => `${path} wants node ${wanted}, not ${version}`);
      });
    expect(refused).toEqual([]);
  });
});
