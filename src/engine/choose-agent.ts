// Which of the operator's agents runs a role (DESIGN §4): the repository's choice for this run
// (`.github/devflow.yml` `agents`, fixed when the run started), else the template role's default, else
// the server's defaultAgent. A name this host does not have falls through to the next choice, so a
// template naming `claude` still runs on a server that offers only other agents.
import type { Run } from "../db/index.js";
import type { WorkerContext } from "./worker-context.js";

export function agentFor(
  context: Pick<WorkerContext, "sessions" | "defaultAgent" | "log">,
  run: Pick<Run, "id" | "agents">,
  role: { id: string; agent?: string | undefined },
): string {
  const chosen = chosenAgents(run.agents)[role.id];
  if (chosen !== undefined) {
    if (context.sessions.hasAgent(chosen)) return chosen;
    context.log.warn(
      { runId: run.id, role: role.id, agent: chosen, instead: context.defaultAgent },
      "the agent the repository chose for this role is no longer defined by the operator; using the default agent",
    );
    return context.defaultAgent;
  }
  if (role.agent !== undefined && context.sessions.hasAgent(role.agent)) return role.agent;
  return context.defaultAgent;
}

function chosenAgents(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}
