import { useState, type FormEvent } from "react";
import { useSearch } from "wouter";
import { ApiError } from "../api/client";
import { sessionEnded } from "../api/session";
import { useSignIn } from "../api/queries";
import { nextPath } from "./access";

/**
 * A user name and a password. A refusal shows the server's one message (it never tells whether
 * the user exists); too many failures say how long to wait. Once signed in, the session gate
 * goes back to where the user was (an ended session included): the page says where, and that
 * the session ended when one was lost under the tab (expired, ended elsewhere, user disabled).
 */
export function SignInPage() {
  const signIn = useSignIn();
  const next = nextPath(useSearch());
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  // Read once: a session lost under the tab, not a first visit.
  const [ended] = useState(sessionEnded);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ name: name.trim(), password }, { onError: () => setPassword("") });
  };
  return (
    <div className="sign-in-page">
      <form className="sign-in" onSubmit={submit} data-testid="sign-in-form">
        <h1>Sign in to Lignée</h1>
        {ended && (
          <p className="sign-in-ended" role="status" data-testid="sign-in-ended">
            Your session ended; sign in again.
          </p>
        )}
        {next !== "/" && (
          <p className="muted sign-in-next" data-testid="sign-in-next">
            Then back to <span className="mono">{next}</span>
          </p>
        )}
        {signIn.error && (
          <p className="error-line" role="alert" data-testid="sign-in-error">
            {refusal(signIn.error)}
          </p>
        )}
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="sign-in-name"
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="sign-in-password"
          />
        </label>
        <button
          type="submit"
          disabled={signIn.isPending || name.trim() === "" || password === ""}
          data-testid="sign-in-submit"
        >
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}

function refusal(error: Error): string {
  if (error instanceof ApiError && error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfterSeconds ?? 60) / 60));
    return `Too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return error.message;
}
