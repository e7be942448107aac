import { LigneeError } from "../errors";

/** Why a Spark job did not produce its asset. */
export type SparkJobFailure =
  /** The Spark environment (its Python, its jars) is not there: the message says how to install it. */
  | "NOT_INSTALLED"
  /** The job itself failed: the message is its error (Spark's, Python's), not a JVM stack. */
  | "JOB_FAILED"
  /** The run was cancelled: the job's processes (the JVM included) were killed. */
  | "CANCELLED";

/** A Spark job that failed, could not start, or was cancelled (see `SparkJobFailure`). */
export class SparkJobError extends LigneeError {
  constructor(
    readonly failure: SparkJobFailure,
    message: string,
    /** The job's exit code, when it ran and exited. */
    readonly exitCode?: number,
  ) {
    super("RUNTIME", message);
  }
}
