import { useQueryClient } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { Redirect, useLocation, useSearch } from "wouter";
import { keys, useSession } from "../api/queries";
import { markSessionEnded, onSessionLost } from "../api/session";
import { markTokenNeeded } from "../api/token";
import type { Session } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { needsSignIn, nextPath, SIGN_IN_PATH, signInPath } from "./access";
import { SignInPage } from "./SignInPage";

/**
 * Asks who is calling before anything else. In users mode, nobody signed in (or a session that
 * ended: any call answered 401) goes to the sign-in page, which comes back to where the user
 * was; nothing read before is kept. With the service token only, the token form asks for it.
 * Without an answer (an older server), the app runs as before.
 */
export function SessionGate({
  frame,
  children,
}: {
  /**
   * The page around what is shown (the top bar), given the session: undefined while it is not
   * known yet, null when the server does not tell.
   */
  frame: (content: ReactNode, session: Session | null | undefined) => ReactNode;
  children: ReactNode;
}) {
  const session = useSession();
  const client = useQueryClient();
  const [location] = useLocation();
  const search = useSearch();
  const data = session.data;

  // Several calls refused at once ask once: a session request on its way is not restarted. A
  // user was signed in: the sign-in page will say that their session ended.
  useEffect(
    () =>
      onSessionLost(() => {
        if (client.getQueryData<Session>(keys.session)?.user) markSessionEnded();
        void client.invalidateQueries({ queryKey: keys.session }, { cancelRefetch: false });
      }),
    [client],
  );
  const signedOut = needsSignIn(data);
  useEffect(() => {
    if (data?.mode === "token" && data.via === null) markTokenNeeded();
    // What was read under the ended session is dropped, not shown on a back-navigation.
    if (signedOut) client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
  }, [client, data, signedOut]);

  if (location === SIGN_IN_PATH) {
    if (data && !signedOut) return <Redirect to={nextPath(search)} replace />;
    if (session.error) return frame(<ErrorLine error={session.error} />, undefined);
    return frame(data ? <SignInPage /> : null, data);
  }
  if (signedOut) {
    const where = search ? `${location}?${search}` : location;
    return <Redirect to={signInPath(where)} replace />;
  }
  if (session.isPending) return frame(null, undefined);
  return frame(children, data ?? null);
}
