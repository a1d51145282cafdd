// The one reply a comment, review or button press gets: every command's answer joined into a single
// GitHub comment, written to the outbox once per delivery (however many commands the text held).
import { enqueueEffect } from "../effects/enqueue-effect.js";
import type { EventContext } from "../event-context.js";
import type { GitHubDeps } from "./github-deps.js";

export class CommandReply {
  private readonly parts: string[] = [];
  private runId: string | undefined;

  /** Adds an answer (an answer already given is not repeated); the first run named is the reply's. */
  add(text: string, runId?: string): void {
    if (!this.parts.includes(text)) this.parts.push(text);
    this.runId ??= runId;
  }

  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  async send(deps: GitHubDeps, ctx: EventContext, issueNumber: number): Promise<void> {
    if (this.isEmpty) return;
    await enqueueEffect(
      deps.prisma,
      {
        key: `${ctx.deliveryId}:reply`,
        installationId: ctx.installationId,
        repository: ctx.repository.fullName,
        runId: this.runId ?? null,
      },
      { kind: "comment.reply", issueNumber, body: this.parts.join("\n\n") },
    );
  }
}
