export { checkpointRef, checkpointTrackingRef } from "./checkpoint-ref.js";
export {
  type Checkpoint,
  type CommitCheckpointOptions,
  commitCheckpoint,
  type GitIdentity,
} from "./commit-checkpoint.js";
export { type CreateRunWorktreeOptions, createRunWorktree, type RunWorktree } from "./create-run-worktree.js";
export { type DeleteCheckpointRefOptions, deleteCheckpointRef } from "./delete-checkpoint-ref.js";
export { type DiffStat, type DiffStatOptions, diffStat } from "./diff-stat.js";
export { type EnsureMirrorOptions, ensureMirror } from "./ensure-mirror.js";
export { type HeadCommit, headCommit } from "./head-commit.js";
export { mirrorDirName } from "./mirror-dir-name.js";
export { type OpenWorktreeOptions, openWorktree } from "./open-worktree.js";
export { type PushCheckpointOptions, pushCheckpoint } from "./push-checkpoint.js";
export { type RemoveRunWorktreeOptions, removeRunWorktree } from "./remove-run-worktree.js";
export { type RunBranchNameInput, runBranchName } from "./run-branch-name.js";
