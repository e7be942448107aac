import { useCallback, useState } from "react";
import { Link, Route, Switch, useLocation } from "wouter";
import { AlertsPage } from "./alerts/AlertsPage";
import { AssetPage } from "./assets/AssetPage";
import { AutomationPage } from "./automation/AutomationPage";
import { BackfillPage } from "./backfills/BackfillPage";
import { BackfillsPage } from "./backfills/BackfillsPage";
import { CatalogPage } from "./catalog/CatalogPage";
import { DefinitionsErrorBanner, DefinitionsStatus } from "./definitions/DefinitionsStatus";
import { TokenGate } from "./components/TokenGate";
import { LineagePage } from "./lineage/LineagePage";
import { OperationsPage } from "./operations/OperationsPage";
import { RunPage } from "./runs/RunPage";
import { RunsPage } from "./runs/RunsPage";
import { SearchDialog } from "./search/SearchDialog";
import { useSearchShortcut } from "./search/useSearchShortcut";
import { ThemeSwitch } from "./theme/ThemeSwitch";

/**
 * The shell: navigation, search (`/` or Ctrl/⌘-K), the theme switch and the routes (lineage,
 * catalog, asset pages, runs, backfills, automation, operations).
 * catalog, asset pages, runs, backfills, automation, alerts).
 */
export function App() {
  const [location] = useLocation();
  const [searching, setSearching] = useState(false);
  const openSearch = useCallback(() => setSearching(true), []);
  useSearchShortcut(openSearch);
  const tab = (path: string, label: string, active: boolean) => (
    <Link href={path} className={active ? "tab active" : "tab"}>
      {label}
    </Link>
  );
  return (
    <div className="shell">
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
        </nav>
        <span className="spacer" />
        <DefinitionsStatus />
        <button
          type="button"
          className="search-button"
          onClick={openSearch}
          data-testid="search-button"
        >
          Search <kbd>/</kbd>
        </button>
        <ThemeSwitch />
      </header>
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
            <Route path="/backfills/:id">
              {(params) => <BackfillPage backfillId={params.id} />}
            </Route>
            <Route path="/automation" component={AutomationPage} />
            <Route path="/operations" component={OperationsPage} />
            <Route path="/alerts" component={AlertsPage} />
            <Route>
              <p className="empty">
                Nothing here. Go back to the <Link href="/">lineage</Link>.
              </p>
            </Route>
          </Switch>
        </main>
        {searching && <SearchDialog onClose={() => setSearching(false)} />}
      </TokenGate>
    </div>
  );
}

function decodeKey(path: string | undefined): string {
  return (path ?? "")
    .split("/")
    .map((segment) => decodeURIComponent(segment))
    .join("/");
}
