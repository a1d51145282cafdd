// Repository endpoints: the repository, file contents (JSON and the raw media type Probot's
// context.config asks for), and a user's permission on the repository.
import { readBlob, readPath, resolveRef, type TreeEntry } from "../git-repos.js";
import { ApiError, notFound } from "../http.js";
import type { RepoRecord } from "../records.js";
import { asInstallation, defineRoute, type Route } from "../router.js";
import { legacyPermission, repoJson, rolePermissions, type Urls, userJson } from "../shapes.js";

const RAW_MEDIA_TYPES = ["application/vnd.github.raw", "application/vnd.github.v3.raw"];

export const repoRoutes: Route[] = [
  defineRoute("GET", "/repos/{owner}/{repo}", (ctx) => {
    const repo = asInstallation(ctx, ["metadata", "read"]);
    return { status: 200, body: repoJson(ctx.urls, repo) };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/contents/{path}", async (ctx) => {
    const repo = asInstallation(ctx, ["contents", "read"]);
    const path = ctx.params.path ?? "";
    const ref = ctx.query.get("ref") ?? repo.defaultBranch;
    const commit = await resolveRef(repo.gitDir, ref.replace(/^refs\/heads\//, ""));
    if (!commit) {
      if (ref === repo.defaultBranch) throw new ApiError(404, "This repository is empty.");
      throw new ApiError(404, `No commit found for the ref ${ref}`);
    }
    const found = await readPath(repo.gitDir, commit, path);
    if (!found?.entry) throw notFound();
    const accept = String(ctx.headers.accept ?? "");
    if (found.entry.type === "blob") {
      const content = await readBlob(repo.gitDir, found.entry.sha);
      if (RAW_MEDIA_TYPES.some((type) => accept.includes(type))) {
        return {
          status: 200,
          raw: content.toString("utf8"),
          headers: { "content-type": "text/plain; charset=utf-8" },
        };
      }
      const base64 = content.toString("base64").replace(/.{60}/g, "$&\n");
      const body = {
        ...entryJson(ctx.urls, repo, ref, found.entry),
        content: `${base64}\n`,
        encoding: "base64",
      };
      return { status: 200, body };
    }
    return { status: 200, body: found.children.map((child) => entryJson(ctx.urls, repo, ref, child)) };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", (ctx) => {
    const repo = asInstallation(ctx, ["metadata", "read"]);
    const user = ctx.state.users.get((ctx.params.username ?? "").toLowerCase());
    if (!user) throw notFound();
    const role = ctx.state.roleOf(repo, user.login);
    const collaborator = { ...userJson(ctx.urls, user), permissions: rolePermissions(role), role_name: role };
    return { status: 200, body: { permission: legacyPermission(role), role_name: role, user: collaborator } };
  }),
];

function entryJson(urls: Urls, repo: RepoRecord, ref: string, entry: TreeEntry) {
  const type = entry.type === "tree" ? "dir" : entry.type === "commit" ? "submodule" : "file";
  const self = `${urls.api}/repos/${repo.fullName}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${urls.api}/repos/${repo.fullName}/git/${entry.type === "tree" ? "trees" : "blobs"}/${entry.sha}`;
  const html = `${urls.web}/${repo.fullName}/${entry.type === "tree" ? "tree" : "blob"}/${ref}/${entry.path}`;
  return {
    type,
    size: entry.size,
    name: entry.path.split("/").at(-1) ?? entry.path,
    path: entry.path,
    sha: entry.sha,
    url: self,
    git_url: gitUrl,
    html_url: html,
    download_url: type === "file" ? `${urls.web}/raw/${repo.fullName}/${ref}/${entry.path}` : null,
    _links: { self, git: gitUrl, html },
  };
}
