import { useCallback, useMemo, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";
import type { AssetNode, RunConfig } from "../api/types";
import { ConfigForm } from "./ConfigForm";
import {
  configFields,
  initialDraft,
  issuesByField,
  readDraft,
  type ConfigDraft,
  type FieldErrors,
} from "./config-form";

export interface RunConfigForm {
  /** The form, for the assets that take config; null when none does. */
  readonly form: ReactNode;
  /**
   * The config to send (`{}` when no asset takes any, so that the request is unchanged), or
   * undefined when the form finds a problem: the problems are then shown next to their fields.
   */
  readonly read: () => { readonly config?: RunConfig } | undefined;
  /** Shows the server's issues of an invalid config (a 400) next to their fields. */
  readonly showServerError: (error: unknown) => void;
}

/** The run config form of a launch: its state, what it sends, and the errors it shows. */
export function useRunConfig(
  assets: readonly Pick<AssetNode, "key" | "configSchema">[],
): RunConfigForm {
  const configured = useMemo(
    () =>
      assets.flatMap((a) =>
        a.configSchema ? [{ assetKey: a.key, fields: configFields(a.configSchema) }] : [],
      ),
    [assets],
  );
  const [drafts, setDrafts] = useState<Readonly<Record<string, ConfigDraft>>>({});
  const [errors, setErrors] = useState<Readonly<Record<string, FieldErrors>>>({});
  const states = configured.map((c) => ({
    ...c,
    draft: drafts[c.assetKey] ?? initialDraft(c.fields),
  }));

  const onChange = (assetKey: string, field: string, value: string | boolean) => {
    const state = states.find((s) => s.assetKey === assetKey);
    if (!state) return;
    setDrafts((d) => ({ ...d, [assetKey]: { ...state.draft, [field]: value } }));
    // What the user changes is no longer what was refused.
    setErrors((e) => {
      const { [field]: _gone, ...rest } = e[assetKey] ?? {};
      return { ...e, [assetKey]: rest };
    });
  };

  const read = () => {
    if (states.length === 0) return {};
    const config: Record<string, unknown> = {};
    const found: Record<string, FieldErrors> = {};
    for (const s of states) {
      const { value, errors: fieldErrors } = readDraft(s.fields, s.draft);
      config[s.assetKey] = value;
      if (Object.keys(fieldErrors).length > 0) found[s.assetKey] = fieldErrors;
    }
    setErrors(found);
    return Object.keys(found).length > 0 ? undefined : { config };
  };

  const showServerError = useCallback((error: unknown) => {
    if (error instanceof ApiError && error.issues) setErrors(issuesByField(error.issues));
  }, []);

  const form =
    states.length > 0 ? <ConfigForm assets={states} errors={errors} onChange={onChange} /> : null;
  return { form, read, showServerError };
}
