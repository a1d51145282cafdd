// Worker hosts and their sessions, with the command that attaches to a tmux session.
import { type Html, html } from "../html.js";

export interface HostSession {
  id: string;
  runId: string;
  roleId: string;
  agent: string;
  backend: string;
  state: string;
  paneId: string | null;
  hostId: string;
  updatedAt: Date;
}

export function hostsBody(hosts: { hostId: string; sessions: number; live: number }[]): Html {
  return html`<h1>Hosts</h1>${
    hosts.length === 0
      ? html`<p>No host has run a session yet.</p>`
      : html`<div class="table-wrap"><table><thead><tr><th>Host</th><th>Live sessions</th><th>All sessions</th></tr></thead><tbody>${hosts.map(
          (host) =>
            html`<tr><td><a href="/hosts/${encodeURIComponent(host.hostId)}">${host.hostId}</a></td><td>${host.live}</td><td>${host.sessions}</td></tr>`,
        )}</tbody></table></div>`
  }`;
}

export function hostBody(hostId: string, sessions: HostSession[]): Html {
  return html`<h1>Host ${hostId}</h1>
<div class="table-wrap"><table><thead><tr><th>Session</th><th>Run</th><th>Role</th><th>Agent</th><th>State</th><th>Attach</th></tr></thead><tbody>
${sessions.map(
  (
    session,
  ) => html`<tr><td>${session.id.slice(0, 8)}</td><td><a href="/runs/${session.runId}">${session.runId.slice(0, 8)}</a></td>
<td>${session.roleId}</td><td>${session.agent} (${session.backend})</td><td class="state">${session.state}</td>
<td>${session.backend === "tmux" && session.paneId ? html`<code>devflow attach ${session.runId} -r</code> (on ${session.hostId})` : ""}</td></tr>`,
)}</tbody></table></div>`;
}
