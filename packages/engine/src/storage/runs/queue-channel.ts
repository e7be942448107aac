/** Channel NOTIFYed when runs are queued, so idle workers start at once. */
export const QUEUE_CHANNEL = "lignee_run_queued";
