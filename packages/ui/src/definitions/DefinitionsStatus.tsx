import { ErrorLine } from "../components/ErrorLine";
import { useDefinitions, useFollowDefinitionsVersion, type useReloadDefinitions } from "./queries";

type Reload = ReturnType<typeof useReloadDefinitions>;

/**
 * In the top bar: when the definitions were loaded, and a button that loads them again (when
 * the server can). A reload the server refuses (e.g. for a viewer) says why in
 * `ReloadRefusal`, given the same `reload`.
 */
export function DefinitionsStatus({ reload }: { reload: Reload }) {
  const { data } = useDefinitions();
  useFollowDefinitionsVersion(data?.version);
  if (!data) return null;
  const loaded = new Date(data.loadedAt);
  return (
    <div className="definitions-status" data-testid="definitions-status">
      <span
        title={`Definitions loaded ${loaded.toLocaleString()}: version ${data.version}, from ${data.files} file(s), ${data.assets} asset(s)`}
      >
        Loaded <time dateTime={data.loadedAt}>{loaded.toLocaleTimeString()}</time>
      </span>
      {data.reloadable && (
        <button
          type="button"
          className="reload-button"
          onClick={() => reload.mutate()}
          disabled={reload.isPending}
          data-testid="reload-definitions"
          title="Load the definitions again from their files (runs in flight keep theirs)"
        >
          {reload.isPending ? "Reloading…" : "Reload"}
        </button>
      )}
    </div>
  );
}

/**
 * A refused reload, in a strip of its own under the top bar (above the page, which moves down
 * rather than being covered) until closed.
 */
export function ReloadRefusal({ reload }: { reload: Reload }) {
  if (!reload.error) return null;
  return (
    <div className="reload-refused">
      <ErrorLine error={reload.error} />
      <button
        type="button"
        className="link-button"
        onClick={() => reload.reset()}
        data-testid="reload-refused-close"
      >
        Close
      </button>
    </div>
  );
}

/**
 * Above every page while the latest reload failed: why, and that the previous definitions keep
 * serving.
 */
export function DefinitionsErrorBanner() {
  const { data } = useDefinitions();
  if (!data?.error) return null;
  return (
    <div className="definitions-error" role="alert" data-testid="definitions-error">
      <p>
        <strong>The definitions could not be loaded again</strong> (
        {new Date(data.error.at).toLocaleTimeString()}): the ones loaded at{" "}
        {new Date(data.loadedAt).toLocaleTimeString()} keep serving.
      </p>
      <pre>{data.error.message}</pre>
    </div>
  );
}
