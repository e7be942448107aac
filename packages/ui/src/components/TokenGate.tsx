import { useQueryClient } from "@tanstack/react-query";
import { useState, useSyncExternalStore, type FormEvent, type ReactNode } from "react";
import {
  apiToken,
  clearTokenNeeded,
  isTokenNeeded,
  onTokenChange,
  setApiToken,
} from "../api/token";

/**
 * When the server answers 401 (LIGNEE_API_TOKEN is set), asks for the token once; it is kept
 * for the browser session and sent with every call. Asked again with a token kept, the server
 * refused that token: the form says so.
 */
export function TokenGate({ children }: { children: ReactNode }) {
  const needed = useSyncExternalStore(onTokenChange, isTokenNeeded);
  const client = useQueryClient();
  const [value, setValue] = useState("");
  if (!needed) return <>{children}</>;
  const refused = apiToken() !== undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    clearTokenNeeded();
    setApiToken(value.trim());
    // Shown again only if the server refuses it: then the field starts empty.
    setValue("");
    // Everything asked without the token is dropped, its answers still on their way included
    // (a refusal arriving late would stay the page's error), and asked again with it.
    void client.resetQueries();
  };
  return (
    <form className="token-gate" onSubmit={submit} data-testid="token-form">
      <h2>This Lignée server needs an API token</h2>
      <p>Enter the value of LIGNEE_API_TOKEN the server was started with.</p>
      {refused && (
        <p className="error-line" role="alert" data-testid="token-refused">
          That token was refused
        </p>
      )}
      <input
        type="password"
        autoFocus
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-label="API token"
      />
      <button type="submit" disabled={value.trim() === ""}>
        Continue
      </button>
    </form>
  );
}
