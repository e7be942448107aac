import { useCallback, useState, type ReactNode } from "react";
import { Link, Route, Switch, useLocation } from "wouter";
import { AccountPage } from "./account/AccountPage";
import { AlertsPage } from "./alerts/AlertsPage";
import type { Session } from "./api/types";
import { AuditPage } from "./audit/AuditPage";
import { AssetPage } from "./assets/AssetPage";
import { AutomationPage } from "./automation/AutomationPage";
import { BackfillPage } from "./backfills/BackfillPage";
import { BackfillsPage } from "./backfills/BackfillsPage";
import { CatalogPage } from "./catalog/CatalogPage";
import {
  DefinitionsErrorBanner,
  DefinitionsStatus,
  ReloadRefusal,
} from "./definitions/DefinitionsStatus";
import { useReloadDefinitions } from "./definitions/queries";
import { TokenGate } from "./components/TokenGate";
import { LineagePage } from "./lineage/LineagePage";
import { OperationsPage } from "./operations/OperationsPage";
import { RunPage } from "./runs/RunPage";
import { RunsPage } from "./runs/RunsPage";
import { SearchDialog } from "./search/SearchDialog";
import { useSearchShortcut } from "./search/useSearchShortcut";
import { canAdminister, needsSignIn } from "./session/access";
import { SessionBadge } from "./session/SessionBadge";
import { SessionGate } from "./session/SessionGate";
import "./session/session.css";
import { ThemeSwitch } from "./theme/ThemeSwitch";
import { UsersPage } from "./users/UsersPage";

/**
 * The shell: navigation, search (`/` or Ctrl/⌘-K), who is signed in, the theme switch and the
 * routes (lineage, catalog, asset pages, runs, backfills, automation, operations, alerts, the
 * audit trail, the account and the users). Before anything, the session: who is calling, and
 * the sign-in page when a sign-in is needed.
 */
export function App() {
  return (
    <SessionGate frame={(content, session) => <Frame session={session}>{content}</Frame>}>
      <Shell />
    </SessionGate>
  );
}

/** The top bar with navigation once the session is known, around the page. */
function Frame({
  session,
  children,
}: {
  session: Session | null | undefined;
  children: ReactNode;
}) {
  return (
    <div className="shell">
      {session !== undefined && !needsSignIn(session ?? undefined) ? (
        <TopBar session={session} />
      ) : (
        <header className="topbar">
          <span className="brand">Lignée</span>
          <span className="spacer" />
          <ThemeSwitch />
        </header>
      )}
      {children}
    </div>
  );
}

/**
 * The top bar: on one row when the window is wide enough, else the tabs on a second row (every
 * tab stays visible; see `.topbar` in styles.css). A refused reload is said under it.
 */
function TopBar({ session }: { session: Session | null }) {
  const [location] = useLocation();
  const reload = useReloadDefinitions();
  const [searching, setSearching] = useState(false);
  const openSearch = useCallback(() => setSearching(true), []);
  useSearchShortcut(openSearch);
  const tab = (path: string, label: string, active: boolean) => (
    <Link href={path} className={active ? "tab active" : "tab"}>
      {label}
    </Link>
  );
  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          Lignée
        </Link>
        <nav>
          {tab("/", "Lineage", location === "/" || location.startsWith("/assets"))}
          {tab("/catalog", "Catalog", location.startsWith("/catalog"))}
          {tab("/runs", "Runs", location.startsWith("/runs"))}
          {tab("/backfills", "Backfills", location.startsWith("/backfills"))}
          {tab("/automation", "Automation", location.startsWith("/automation"))}
          {tab("/operations", "Operations", location.startsWith("/operations"))}
          {tab("/alerts", "Alerts", location.startsWith("/alerts"))}
          {tab("/audit", "Audit", location.startsWith("/audit"))}
          {canAdminister(session ?? undefined) &&
            tab("/users", "Users", location.startsWith("/users"))}
        </nav>
        <span className="spacer" />
        <DefinitionsStatus reload={reload} />
        <button
          type="button"
          className="search-button"
          onClick={openSearch}
          data-testid="search-button"
        >
          Search <kbd>/</kbd>
        </button>
        {session && <SessionBadge session={session} />}
        <ThemeSwitch />
      </header>
      <ReloadRefusal reload={reload} />
      {searching && <SearchDialog onClose={() => setSearching(false)} />}
    </>
  );
}

function Shell() {
  return (
    <TokenGate>
      <main className="content">
        <DefinitionsErrorBanner />
        <Switch>
          <Route path="/" component={LineagePage} />
          <Route path="/catalog" component={CatalogPage} />
          <Route path="/assets/*">
            {(params) => <AssetPage assetKey={decodeKey(params["*"])} />}
          </Route>
          <Route path="/runs" component={RunsPage} />
          <Route path="/runs/:id">{(params) => <RunPage runId={params.id} />}</Route>
          <Route path="/backfills" component={BackfillsPage} />
          <Route path="/backfills/:id">{(params) => <BackfillPage backfillId={params.id} />}</Route>
          <Route path="/automation" component={AutomationPage} />
          <Route path="/operations" component={OperationsPage} />
          <Route path="/alerts" component={AlertsPage} />
          <Route path="/audit" component={AuditPage} />
          <Route path="/account" component={AccountPage} />
          <Route path="/users" component={UsersPage} />
          <Route>
            <p className="empty">
              Nothing here. Go back to the <Link href="/">lineage</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </TokenGate>
  );
}

function decodeKey(path: string | undefined): string {
  return (path ?? "")
    .split("/")
    .map((segment) => decodeURIComponent(segment))
    .join("/");
}
