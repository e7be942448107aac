import { useState, type FormEvent } from "react";
import { useCreateToken, useRevokeToken, useSession, useTokens } from "../api/queries";
import type { ApiToken, TokenCreated, TokenScope } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorLine } from "../components/ErrorLine";
import { TableHead } from "../components/TableHead";
import { formatRelative, formatTime } from "../format";
import "./account.css";

const SCOPES: Readonly<Record<TokenScope, string>> = {
  read: "read — acts as a viewer",
  operate: "operate — acts as an operator at most",
};

/**
 * The signed-in user's account: their API tokens (for scripts and CI, sent as
 * `Authorization: Bearer …`): create one (its secret shown this once), see when each was last
 * used, revoke one.
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
          Nobody signs in to this server, so there is no account: API tokens belong to users (added
          with <span className="mono">lignee users add</span>).
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
        <CreateToken />
        <Tokens />
      </section>
    </div>
  );
}

function CreateToken() {
  const create = useCreateToken();
  const [label, setLabel] = useState("");
  const [scope, setScope] = useState<TokenScope>("read");
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
            {Object.entries(SCOPES).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
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
        <TableHead columns={["Label", "Scope", "Created", "Last used", "State", ""]} />
        <tbody>
          {rows.map((t) => (
            <tr
              key={t.id}
              data-testid="token-row"
              data-token-id={t.id}
              data-label={t.label}
              data-revoked={t.revokedAt !== null}
            >
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
