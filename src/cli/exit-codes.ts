// Exit codes shared by every subcommand.
export const EXIT = {
  /** success; for `diff`, the experiments are equal; for `--check`, everything is up to date */
  ok: 0,
  /** an invalid spec (diagnostics printed), a difference (`diff`), or a stale file (`--check`) */
  invalid: 1,
  /** a usage or I/O error: bad flags, missing or unreadable files */
  usage: 2,
  /** the experiment failed while running (bad data, NaN loss, ...) */
  runtime: 3,
  /** the shell's code for a run ended by Ctrl-C */
  interrupted: 130,
} as const;
