/**
 * Channel NOTIFYed in the transaction that records a materialisation (payload: the asset key)
 * or ends a run (payload: `run:<id>`), so that eager automation looks at once instead of at the
 * scheduler's next interval. PostgreSQL delivers it only on commit, and only to listeners
 * connected at that moment: a listener that was away must look for itself.
 */
export const CHANGES_CHANNEL = "lignee_changes";
