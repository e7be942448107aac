import { Link } from "wouter";
import { useSignOut } from "../api/queries";
import type { Session } from "../api/types";

/**
 * The top bar's say on who is using the app: in single-user mode a discreet badge; signed in,
 * the user's name (a link to their account), role and a Sign out button.
 */
export function SessionBadge({ session }: { session: Session }) {
  const signOut = useSignOut();
  if (session.mode === "local") {
    return (
      <span
        className="session-badge"
        data-testid="single-user-badge"
        title="No user is defined and the server listens on loopback only, so nobody signs in and every action is allowed. Adding a user (lignee users add NAME --role admin) turns sign-in on."
      >
        <span>Single-user mode</span>
        <span className="session-badge-sep"> · </span>
        <span className="session-badge-detail">loopback, no sign-in</span>
      </span>
    );
  }
  const { user } = session;
  if (!user) return null;
  return (
    <span className="session-user" data-testid="session-user">
      <span className="session-who">
        <Link href="/account" className="session-name" data-testid="account-link">
          {user.name}
        </Link>
        <span className="session-role" data-testid="session-role">
          <span className="session-badge-sep"> · </span>
          {user.role}
        </span>
      </span>
      {session.via === "session" && (
        <button
          type="button"
          className="sign-out"
          disabled={signOut.isPending}
          onClick={() => signOut.mutate()}
          data-testid="sign-out"
        >
          Sign out
        </button>
      )}
    </span>
  );
}
