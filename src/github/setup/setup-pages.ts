// The HTML of the setup page and its answers: plain pages, every value escaped.
import type { AppManifest } from "./app-manifest.js";
import type { SavedAppCredentials } from "./saved-app-credentials.js";

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · devflow</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .2em}button{font-size:1rem;padding:.5em 1em}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

export function setupPage(options: {
  createUrl: string;
  github: string;
  manifest: AppManifest;
  /** This page's path with its token, ending in `org=`. */
  orgPath: string;
  /** The organization the app is registered under (`?org=`), or undefined for the signed-in user. */
  org?: string;
}): string {
  const { createUrl, github, manifest, orgPath, org } = options;
  // Whose app it becomes must be visible before the button is pressed: the form differs only in its URL.
  const owner = org
    ? `the organization <strong>${escapeHtml(org)}</strong> (you must be one of its owners)`
    : "your own account";
  const other = org
    ? `<p>To register it under your own account instead, open <code>${escapeHtml(orgPath.replace(/&org=$/, ""))}</code>.</p>`
    : `<p>To register it under an organization, open <code>${escapeHtml(orgPath)}&lt;organization&gt;</code>.</p>`;
  const events = (manifest.default_events as string[] | undefined) ?? [];
  const permissions = Object.entries((manifest.default_permissions as Record<string, string>) ?? {});
  return page(
    "Register devflow as a GitHub App",
    `<p>devflow has no GitHub App credentials yet. Register it on <strong>${escapeHtml(github)}</strong>:
GitHub shows the app below, you confirm, and devflow saves its credentials in its data directory.</p>
<p>The app will belong to ${owner}.</p>
<p>Webhooks will go to <code>${escapeHtml(manifest.hook_attributes.url)}</code> — GitHub must be able to reach
it. If that is not devflow's public address, open this page at that address instead.</p>
<ul>
<li>Permissions: ${permissions.map(([name, level]) => `<code>${escapeHtml(name)}: ${escapeHtml(level)}</code>`).join(", ")}</li>
<li>Events: ${events.map((event) => `<code>${escapeHtml(event)}</code>`).join(", ")}</li>
</ul>
<form id="register" action="${escapeHtml(createUrl)}" method="post">
<input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<button type="submit">Register ${escapeHtml(manifest.name)} on GitHub${org ? ` for ${escapeHtml(org)}` : ""}</button>
</form>
${other}`,
  );
}

/** What anyone gets at /setup without this process's token: where to find the link, nothing else. */
export function setupTokenPage(): string {
  return page(
    "Open the setup link from devflow's log",
    `<p>devflow has no GitHub App credentials yet. Its setup page registers the app, so it is served only
through the link devflow printed in its log when it started — the line that begins
<code>No GitHub App credentials yet: open …/setup?token=…</code> (for a container: <code>docker logs</code>;
for a service: <code>journalctl</code>). Open that link, exactly as printed.</p>
<p>The token changes each time devflow starts. If you did not start this devflow, you cannot register it.</p>`,
  );
}

export function registeredPage(registration: SavedAppCredentials["registration"]): string {
  const install = `${registration.htmlUrl}/installations/new`;
  return page(
    "devflow is registered",
    `<p>devflow runs as the GitHub App <strong>${escapeHtml(registration.slug)}</strong> (id ${registration.appId}).</p>
<p><a href="${escapeHtml(install)}">Install it on your repositories</a>, then label an issue to start a run.</p>`,
  );
}

export function statusPage(title: string, message: string, setupPath: string): string {
  return page(
    title,
    `<p>${escapeHtml(message)}</p><p><a href="${escapeHtml(setupPath)}">Back to the setup page</a></p>`,
  );
}
