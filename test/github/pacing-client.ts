// A stand-in for one devflow web process in shared-write-pacing.test.ts: devflow's Probot client
// (createProbot, with REDIS_URL when given) for one installation. Prints "ready" once authenticated,
// adds the label LABEL to ISSUE when it reads "go" on stdin, prints "done" and exits.
import { createInterface } from "node:readline";
import { loadEnvironment } from "../../src/config/environment.js";
import { createProbot } from "../../src/github/mount-github-app.js";
import { createLogger } from "../../src/server/logger.js";

const env = loadEnvironment(process.env, { hostname: "pacing-client" });
if (!env.github) throw new Error("pacing-client: APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are required");
const probot = createProbot(env.github, env.githubEnterprise, createLogger("silent"), env.redisUrl);
const [owner, repo] = (process.env.REPO ?? "").split("/") as [string, string];
const octokit = await probot.auth(Number(process.env.INSTALLATION));
console.log("ready");
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== "go") continue;
  await octokit.rest.issues.addLabels({
    owner,
    repo,
    issue_number: Number(process.env.ISSUE),
    labels: [process.env.LABEL ?? "paced"],
  });
  console.log("done");
  process.exit(0);
}
