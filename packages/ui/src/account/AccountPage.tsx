import { useState, type FormEvent } from "react";
import { Link } from "wouter";
import { ApiError } from "../api/client";
import {
  useChangePassword,
  useCreateToken,
  useRevokeToken,
  useSession,
  useTokens,
} from "../api/queries";
import type { ApiToken, Role, TokenCreated, TokenScope } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorLine } from "../components/ErrorLine";
import { NewPasswordInput } from "../components/PasswordTooShort";
import { longEnough } from "../components/password-length";
import { TableHead } from "../components/TableHead";
import { formatRelative, formatTime } from "../format";
import "./account.css";

const SCOPES: Readonly<Record<TokenScope, string>> = {
  read: "read — acts as a viewer",
  operate: "operate — acts as an operator at most",
};

/** The scopes a role may give its tokens: a viewer's tokens only read. */
function scopesFor(role: Role): readonly TokenScope[] {
  return role === "viewer" ? ["read"] : ["read", "operate"];
}

/**
 * The signed-in user's account: their password (changing it signs their other sessions out)
 * and their API tokens (for scripts and CI, sent as `Authorization: Bearer …`): create one (its
 * secret shown this once), see when each was last used, revoke one (by its ID from the CLI).
 */
export function AccountPage() {
  const session = useSession().data;
  const user = session?.user;
  if (session?.mode !== "users" || !user) {
    return (
      <div className="account-page" data-testid="account-page">
        <div className="page-head">
          <h1>Account</h1>
        </div>
        <p className="empty">
          Nobody signs in to this server, so there is no account: passwords and API tokens belong to
          users, added on the <Link href="/users">Users</Link> page or with{" "}
          <span className="mono">lignee users add</span>.
        </p>
      </div>
    );
  }
  return (
    <div className="account-page" data-testid="account-page">
      <div className="page-head">
        <h1>{user.name}</h1>
        <span className="muted">
          Role <strong>{user.role}</strong>
        </span>
      </div>
      <section>
        <h2>API tokens</h2>
        <p className="muted">
          For scripts and CI: send one as <span className="mono">Authorization: Bearer …</span>. It
          acts as you, limited by its scope; revoking it takes effect at once.
        </p>
        <CreateToken role={user.role} />
        <Tokens />
      </section>
      <section>
        <h2>Password</h2>
        <p className="muted">
          Changing it signs you out everywhere else; this tab stays signed in.
        </p>
        <ChangePassword />
      </section>
    </div>
  );
}

function CreateToken({ role }: { role: Role }) {
  const create = useCreateToken();
  const [label, setLabel] = useState("");
  const scopes = scopesFor(role);
  const [chosenScope, setScope] = useState<TokenScope>("read");
  const scope = scopes.includes(chosenScope) ? chosenScope : "read";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ label: label.trim(), scope }, { onSuccess: () => setLabel("") });
  };
  return (
    <>
      <form className="token-create" onSubmit={submit} data-testid="token-create">
        <label>
          Label
          <input
            value={label}
            maxLength={100}
            placeholder="e.g. ci"
            onChange={(e) => setLabel(e.target.value)}
            data-testid="token-label"
          />
        </label>
        <label>
          Scope
          <select
            value={scope}
            onChange={(e) => setScope(e.target.value === "operate" ? "operate" : "read")}
            data-testid="token-scope"
          >
            {scopes.map((value) => (
              <option key={value} value={value}>
                {SCOPES[value]}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          disabled={create.isPending || label.trim() === ""}
          data-testid="token-create-submit"
        >
          Create token
        </button>
      </form>
      {create.error && <ErrorLine error={create.error} />}
      {create.data && <NewSecret created={create.data} onDone={() => create.reset()} />}
    </>
  );
}

/** The new token's secret, this once, ready to copy. */
function NewSecret({ created, onDone }: { created: TokenCreated; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(created.secret).then(() => setCopied(true));
  };
  return (
    <div className="token-secret" role="status" data-testid="token-secret-box">
      <p>
        <strong>Copy the token “{created.token.label}” now: it will not be shown again.</strong>{" "}
        Only its hash is stored.
      </p>
      <div className="token-secret-line">
        <input
          readOnly
          className="mono"
          value={created.secret}
          onFocus={(e) => e.target.select()}
          aria-label="The new token"
          data-testid="token-secret"
        />
        <button type="button" onClick={copy} data-testid="token-copy">
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="link-button" onClick={onDone} data-testid="token-done">
          Done
        </button>
      </div>
    </div>
  );
}

function Tokens() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [revoking, setRevoking] = useState<ApiToken | undefined>();
  if (tokens.error) return <ErrorLine error={tokens.error} />;
  if (!tokens.data) return <p className="loading">Loading tokens…</p>;
  const rows = tokens.data.tokens;
  if (rows.length === 0) return <p className="empty">No API token yet.</p>;
  return (
    <>
      <table className="table tokens" data-testid="tokens">
        <TableHead columns={["ID", "Label", "Scope", "Created", "Last used", "State", ""]} />
        <tbody>
          {rows.map((t) => (
            <tr
              key={t.id}
              data-testid="token-row"
              data-token-id={t.id}
              data-label={t.label}
              data-revoked={t.revokedAt !== null}
            >
              <td className="mono" title={`lignee users tokens revoke ${t.id}`}>
                {t.id}
              </td>
              <td>{t.label}</td>
              <td>{t.scope}</td>
              <td title={formatTime(t.createdAt)}>{formatRelative(t.createdAt)}</td>
              <td title={t.lastUsedAt ? formatTime(t.lastUsedAt) : undefined}>
                {t.lastUsedAt ? formatRelative(t.lastUsedAt) : <span className="muted">never</span>}
              </td>
              <td>
                {t.revokedAt ? (
                  <span className="badge status-canceled" title={formatTime(t.revokedAt)}>
                    revoked
                  </span>
                ) : (
                  <span className="badge status-success">active</span>
                )}
              </td>
              <td>
                {!t.revokedAt && (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setRevoking(t)}
                    data-testid="token-revoke"
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoke.error && <ErrorLine error={revoke.error} />}
      <p className="muted token-cli">
        From a terminal: <span className="mono">lignee users tokens revoke ID</span>.
      </p>
      {revoking && (
        <ConfirmDialog
          label="Revoke token"
          testId="revoke-dialog"
          title={`Revoke “${revoking.label}”?`}
          confirmLabel="Revoke"
          confirmTestId="revoke-confirm"
          onConfirm={() => revoke.mutate(revoking.id)}
          onClose={() => setRevoking(undefined)}
        >
          What uses this token is refused from its next request. This cannot be undone.
        </ConfirmDialog>
      )}
    </>
  );
}

/**
 * The user's own password: the current one, the new one twice. The server's refusal is said
 * (a wrong current password, a new one it does not take, too many attempts); once changed,
 * every session of the user ends and this tab carries on with the new one the server answers.
 */
function ChangePassword() {
  const change = useChangePassword();
  // For the browser's password manager: whose password changes.
  const name = useSession().data?.user?.name ?? "";
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const mismatch = again.length > 0 && again !== password;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate(
      { current, password },
      {
        onSuccess: () => {
          setCurrent("");
          setPassword("");
          setAgain("");
        },
        // Typed again only when it was the wrong one; a new password refused keeps it.
        onError: (error) => {
          if (wrongCurrent(error)) setCurrent("");
        },
      },
    );
  };
  return (
    <>
      <form className="password-change" onSubmit={submit} data-testid="password-change">
        <input type="text" name="username" autoComplete="username" hidden readOnly value={name} />
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => {
              change.reset();
              setCurrent(e.target.value);
            }}
            data-testid="password-current"
          />
        </label>
        <label>
          New password
          <NewPasswordInput
            id="password-new-hint"
            value={password}
            onChange={setPassword}
            testId="password-new"
          />
        </label>
        <label>
          New password again
          <input
            type="password"
            autoComplete="new-password"
            value={again}
            aria-invalid={mismatch}
            aria-describedby={mismatch ? "password-again-hint" : undefined}
            onChange={(e) => setAgain(e.target.value)}
            data-testid="password-again"
          />
          {mismatch && (
            <span className="field-hint" id="password-again-hint" data-testid="password-mismatch">
              Not the same as the new password
            </span>
          )}
        </label>
        <button
          type="submit"
          disabled={
            change.isPending || current === "" || !longEnough(password) || again !== password
          }
          data-testid="password-change-submit"
        >
          {change.isPending ? "Changing…" : "Change password"}
        </button>
      </form>
      {change.error && <ErrorLine error={passwordRefusal(change.error)} />}
      {change.isSuccess && (
        <p className="password-changed" role="status" data-testid="password-changed">
          Password changed. Your other sessions were signed out; this one stays signed in.
        </p>
      )}
    </>
  );
}

/** The server's refusal of the current password (403, also counted as a failed sign-in). */
const WRONG_CURRENT = "the current password is wrong";

function wrongCurrent(error: Error): boolean {
  return error instanceof ApiError && error.status === 403 && error.message === WRONG_CURRENT;
}

/**
 * The server's words (a wrong current password is not a matter of role: said as it is), and how
 * long to wait when it refuses more attempts for a while.
 */
function passwordRefusal(error: Error): Error | string {
  if (error instanceof ApiError && error.status === 403) return error.message;
  if (error instanceof ApiError && error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfterSeconds ?? 60) / 60));
    return `Too many attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return error;
}
