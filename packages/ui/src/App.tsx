import { Link, Route, Switch, useLocation } from "wouter";
import { AssetPage } from "./assets/AssetPage";
import { AutomationPage } from "./automation/AutomationPage";
import { BackfillPage } from "./backfills/BackfillPage";
import { BackfillsPage } from "./backfills/BackfillsPage";
import { TokenGate } from "./components/TokenGate";
import { LineagePage } from "./lineage/LineagePage";
import { RunPage } from "./runs/RunPage";
import { RunsPage } from "./runs/RunsPage";

/** The shell: navigation and the routes (lineage, asset pages, runs, backfills, automation). */
export function App() {
  const [location] = useLocation();
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
          {tab("/runs", "Runs", location.startsWith("/runs"))}
          {tab("/backfills", "Backfills", location.startsWith("/backfills"))}
          {tab("/automation", "Automation", location.startsWith("/automation"))}
        </nav>
      </header>
      <TokenGate>
        <main className="content">
          <Switch>
            <Route path="/" component={LineagePage} />
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
            <Route>
              <p className="empty">
                Nothing here. Go back to the <Link href="/">lineage</Link>.
              </p>
            </Route>
          </Switch>
        </main>
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
