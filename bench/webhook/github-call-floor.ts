// What one GitHub API call costs a Probot app before devflow does anything: the same GET as devflow's
// config read (a file that is not there), through Probot's installation client (its Octokit with
// throttling, retries, auth, logging) and as a bare HTTP request with the same token, one at a time.
// It tells how much of a trigger's acknowledgement is the GitHub round trip and its client.
import { pino } from "pino";
import { Probot } from "probot";
import type { GitHubSimulator } from "../../test/github-sim/index.js";
import { percentile } from "../engine/stats.js";

async function p50Of(samples: number, call: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await call().catch(() => undefined);
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

export async function githubCallFloor(
  sim: GitHubSimulator,
  app: { appId: number; privateKey: string; webhookSecret: string },
  repo: { owner: string; name: string },
  samples = 50,
): Promise<{ probotMs: number; rawMs: number }> {
  const probot = new Probot({
    appId: app.appId,
    privateKey: app.privateKey,
    secret: app.webhookSecret,
    baseUrl: `http://${sim.gheHost}/api/v3`,
    log: pino({ level: "silent" }),
  });
  const octokit = await probot.auth(sim.state.installationFor(repo.owner).id);
  const route = { owner: repo.owner, repo: repo.name, path: ".github/devflow.yml" };
  const probotMs = await p50Of(samples, () =>
    octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...route, mediaType: { format: "raw" } }),
  );
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  const url = `http://${sim.gheHost}/api/v3/repos/${repo.owner}/${repo.name}/contents/.github%2Fdevflow.yml`;
  const rawMs = await p50Of(samples, async () => {
    const response = await fetch(url, {
      headers: { authorization: `token ${token}`, accept: "application/vnd.github.raw" },
    });
    await response.arrayBuffer();
  });
  return { probotMs, rawMs };
}
