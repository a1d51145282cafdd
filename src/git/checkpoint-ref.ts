// Where a run's checkpoints live (DESIGN §1): every phase's checkpoint is pushed to a ref of devflow's
// own on the remote, `refs/devflow/runs/<runId>`, so any host can continue the run; the run's branch
// (and so the pull request's head and its check run) moves only when people need to see a new head, at a
// gate and at the end. A mirror records the remote's checkpoint ref under `refs/devflow/origin/runs/`,
// beside (never inside) refs/remotes/origin/*, which holds the remote's branches.
import { DevflowError } from "../errors/index.js";

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The remote's ref holding the run's latest checkpoint. */
export function checkpointRef(runId: string): string {
  return `refs/devflow/runs/${checkedRunId(runId)}`;
}

/** The mirror's record of where `checkpointRef(runId)` was on the remote when this host last looked. */
export function checkpointTrackingRef(runId: string): string {
  return `refs/devflow/origin/runs/${checkedRunId(runId)}`;
}

function checkedRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new DevflowError(`"${runId}" is not a run id devflow can name a git ref after.`, {
      code: "invalid_branch_name",
      details: { runId },
    });
  }
  return runId;
}
