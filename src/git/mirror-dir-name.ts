import { createHash } from "node:crypto";

// GitHub's rules: an owner is letters, digits and single dashes; a name adds `.` and `_`.
const GITHUB_REPOSITORY = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/;

/**
 * The directory name of a repository's mirror inside the mirrors directory: always one plain path segment
 * ending in `.git`, never `.`/`..`, never starting with a dot (those are temporary clones).
 * - `owner/name` → `owner+name.git`, lowercased (GitHub names are case-insensitive, so one mirror each);
 * - anything else (a local path) → `local-<last segment>-<hash of the whole string>.git`.
 */
export function mirrorDirName(repository: string): string {
  const match = GITHUB_REPOSITORY.exec(repository);
  const owner = match?.[1];
  const name = match?.[2]?.replace(/\.git$/i, "");
  if (owner !== undefined && name !== undefined && name !== "" && name !== "." && name !== "..") {
    return `${owner}+${name}.git`.toLowerCase();
  }
  const hash = createHash("sha256").update(repository).digest("hex").slice(0, 12);
  const last =
    repository
      .replace(/[\\/]+$/, "")
      .split(/[\\/]/)
      .pop() ?? "";
  const readable = last
    .replace(/\.git$/i, "")
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `local-${readable || "repository"}-${hash}.git`;
}
