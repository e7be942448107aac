import { useState, type FormEvent } from "react";
import {
  useAddUser,
  useDisableUser,
  useEnableUser,
  useSession,
  useSetUserPassword,
  useSetUserRole,
  useUsers,
} from "../api/queries";
import type { Role, User } from "../api/types";
import { everyOf } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Dialog, DialogActions } from "../components/Dialog";
import { ErrorLine } from "../components/ErrorLine";
import { NewPasswordInput } from "../components/PasswordTooShort";
import { longEnough } from "../components/password-length";
import { TableHead } from "../components/TableHead";
import { formatRelative, formatTime } from "../format";
import { canAdminister } from "../session/access";
import "./users.css";

const ROLES = everyOf<Role>()(["viewer", "operator", "admin"]);

/**
 * The users (admins only): who may sign in and with which role. Add one with a role and a
 * password (while no admin is active, the first must be one); change a role; set a password
 * (which ends the user's sessions); disable a user (after a confirmation; their sessions end and
 * their tokens stop working) and enable them again. One error line per action, the latest's.
 */
export function UsersPage() {
  const users = useUsers();
  const session = useSession().data;
  const local = session?.mode === "local";
  // The server refuses anybody but an admin while no admin is active (the local mode, the
  // service token alone, or before the first admin is added).
  const firstAdmin = users.data !== undefined && !hasActiveAdmin(users.data.users);
  return (
    <div className="users-page" data-testid="users-page">
      <div className="page-head">
        <h1>Users</h1>
        <span className="muted">
          viewer: reads · operator: also materialises, backfills, switches automation · admin: also
          users and alert channels
        </span>
      </div>
      {firstAdmin && (
        <p className="confirm-line" data-testid="users-first-admin-note">
          {local
            ? "Nobody signs in yet: adding a user turns sign-in on, for this browser too. The first user must be an admin, to manage the others: you then sign in as them."
            : "No admin yet: the first user must be an admin, to manage the others."}
        </p>
      )}
      {/* Once the users are known: before, whether the first must be an admin is not. */}
      {canAdminister(session) && users.data !== undefined && <AddUser firstAdmin={firstAdmin} />}
      {users.error && <ErrorLine error={users.error} />}
      {!users.data && !users.error && <p className="loading">Loading users…</p>}
      {users.data && <UsersTable users={users.data.users} />}
    </div>
  );
}

function hasActiveAdmin(users: readonly User[]): boolean {
  return users.some((u) => u.role === "admin" && !u.disabled);
}

/** `firstAdmin`: no admin is active, so the user added must be one. */
function AddUser({ firstAdmin }: { firstAdmin: boolean }) {
  const add = useAddUser();
  const [name, setName] = useState("");
  const [chosenRole, setRole] = useState<Role>("viewer");
  const role: Role = firstAdmin ? "admin" : chosenRole;
  const [password, setPassword] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(
      { name: name.trim(), role, password },
      {
        onSuccess: () => {
          setName("");
          setPassword("");
        },
      },
    );
  };
  return (
    <>
      <form className="user-add" onSubmit={submit} data-testid="user-add">
        <label>
          Name
          <input
            value={name}
            autoComplete="off"
            onChange={(e) => setName(e.target.value)}
            data-testid="user-add-name"
          />
        </label>
        <RoleSelect
          value={role}
          roles={firstAdmin ? ["admin"] : ROLES}
          onChange={setRole}
          testId="user-add-role"
        />
        <label>
          Password
          <NewPasswordInput
            id="user-add-password-hint"
            value={password}
            onChange={setPassword}
            testId="user-add-password"
          />
        </label>
        <button
          type="submit"
          disabled={add.isPending || name.trim() === "" || !longEnough(password)}
          data-testid="user-add-submit"
        >
          Add user
        </button>
      </form>
      {add.error && <ErrorLine error={add.error} />}
    </>
  );
}

function RoleSelect({
  value,
  roles,
  onChange,
  testId,
}: {
  value: Role;
  roles: readonly Role[];
  onChange: (role: Role) => void;
  testId: string;
}) {
  return (
    <label>
      Role
      <select
        value={value}
        onChange={(e) => onChange(roles.find((r) => r === e.target.value) ?? value)}
        data-testid={testId}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    </label>
  );
}

function UsersTable({ users }: { users: readonly User[] }) {
  const setRole = useSetUserRole();
  const disable = useDisableUser();
  const enable = useEnableUser();
  // One error line: each action clears the others' before it starts (its own clears itself).
  const actions = [setRole, disable, enable];
  const error = actions.find((a) => a.error)?.error;
  const clearOthers = (self: (typeof actions)[number]) => {
    for (const a of actions) if (a !== self && a.error) a.reset();
  };
  const [disabling, setDisabling] = useState<User | undefined>();
  const [password, setPassword] = useState<User | undefined>();
  if (users.length === 0)
    return (
      <p className="empty">
        No user yet. The first admin can also be added with{" "}
        <span className="mono">lignee users add NAME --role admin</span>.
      </p>
    );
  return (
    <>
      {error && <ErrorLine error={error} />}
      <table className="table users" data-testid="users">
        <TableHead columns={["Name", "Role", "State", "Created", "Last sign-in", ""]} />
        <tbody>
          {users.map((u) => (
            <tr
              key={u.name}
              className={u.disabled ? "disabled" : undefined}
              data-testid="user-row"
              data-name={u.name}
              data-role={u.role}
              data-disabled={u.disabled}
            >
              <td className="mono">{u.name}</td>
              <td>
                <select
                  aria-label={`Role of ${u.name}`}
                  value={
                    setRole.isPending && setRole.variables.name === u.name
                      ? setRole.variables.role
                      : u.role
                  }
                  disabled={u.disabled || setRole.isPending}
                  onChange={(e) => {
                    const role = ROLES.find((r) => r === e.target.value);
                    if (!role) return;
                    clearOthers(setRole);
                    setRole.mutate({ name: u.name, role });
                  }}
                  data-testid="user-role"
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <span className={`badge ${u.disabled ? "status-canceled" : "status-success"}`}>
                  {u.disabled ? "disabled" : "active"}
                </span>
              </td>
              <td title={formatTime(u.createdAt)}>{formatRelative(u.createdAt)}</td>
              <td title={u.lastSignInAt ? formatTime(u.lastSignInAt) : undefined}>
                {u.lastSignInAt ? (
                  formatRelative(u.lastSignInAt)
                ) : (
                  <span className="muted">never</span>
                )}
              </td>
              <td>
                {u.disabled ? (
                  <button
                    type="button"
                    className="link-button"
                    disabled={enable.isPending}
                    onClick={() => {
                      clearOthers(enable);
                      enable.mutate(u.name);
                    }}
                    aria-label={`Enable ${u.name}`}
                    data-testid="user-enable"
                  >
                    Enable
                  </button>
                ) : (
                  <>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setPassword(u)}
                      aria-label={`Set the password of ${u.name}`}
                      data-testid="user-set-password"
                    >
                      Set password
                    </button>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setDisabling(u)}
                      aria-label={`Disable ${u.name}`}
                      data-testid="user-disable"
                    >
                      Disable
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {disabling && (
        <ConfirmDialog
          label="Disable user"
          testId="disable-dialog"
          title={`Disable ${disabling.name}?`}
          confirmLabel="Disable"
          confirmTestId="disable-confirm"
          onConfirm={() => {
            clearOthers(disable);
            disable.mutate(disabling.name);
          }}
          onClose={() => setDisabling(undefined)}
        >
          Their sessions end at once and they can no longer sign in; their API tokens stop working.
          What they did stays in the audit trail.
        </ConfirmDialog>
      )}
      {password && <PasswordDialog user={password} onClose={() => setPassword(undefined)} />}
    </>
  );
}

function PasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const set = useSetUserPassword();
  const [value, setValue] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set.mutate({ name: user.name, password: value }, { onSuccess: onClose });
  };
  return (
    <Dialog label="Set password" testId="password-dialog" onClose={onClose}>
      <form className="password-form" onSubmit={submit}>
        <h3>New password for {user.name}</h3>
        <p className="muted">Their sessions end: they sign in again with it.</p>
        <label>
          Password
          <NewPasswordInput
            id="password-input-hint"
            value={value}
            onChange={setValue}
            testId="password-input"
            autoFocus
          />
        </label>
        {set.error && <ErrorLine error={set.error} />}
        <DialogActions
          submit="Set password"
          testId="password-submit"
          disabled={set.isPending || !longEnough(value)}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
