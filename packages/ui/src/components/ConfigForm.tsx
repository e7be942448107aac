import type { ReactNode } from "react";
import { WHOLE, type ConfigDraft, type ConfigField, type FieldErrors } from "./config-form";

/** One asset's config: its fields as the form shows them, and what the user typed. */
export interface AssetConfigState {
  readonly assetKey: string;
  readonly fields: readonly ConfigField[];
  readonly draft: ConfigDraft;
}

/**
 * The run config of the assets that take one, one fieldset per asset: a text, number, select or
 * checkbox input per field of the common types, with its default and description, and a JSON
 * textarea for anything else. `errors` (per asset, per field) are shown next to their field,
 * whether the form found them or the server did.
 */
export function ConfigForm({
  assets,
  errors,
  onChange,
}: {
  assets: readonly AssetConfigState[];
  errors: Readonly<Record<string, FieldErrors>>;
  onChange: (assetKey: string, field: string, value: string | boolean) => void;
}) {
  return (
    <div className="config-form" data-testid="config-form">
      {assets.map((a) => {
        const assetErrors = errors[a.assetKey] ?? {};
        const whole = a.fields.some((f) => f.name === WHOLE) ? undefined : assetErrors[WHOLE];
        return (
          <fieldset key={a.assetKey} data-testid="config-asset" data-asset-key={a.assetKey}>
            <legend>
              Config of <span className="mono">{a.assetKey}</span>
            </legend>
            {whole && <FieldError message={whole} />}
            {a.fields.map((f) => (
              <Field
                key={f.name}
                field={f}
                value={a.draft[f.name] ?? ""}
                error={assetErrors[f.name]}
                onChange={(value) => onChange(a.assetKey, f.name, value)}
              />
            ))}
          </fieldset>
        );
      })}
    </div>
  );
}

function Field({
  field,
  value,
  error,
  onChange,
}: {
  field: ConfigField;
  value: string | boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const testId = `config-field-${field.name || "json"}`;
  const label = field.name === WHOLE ? "config (JSON)" : field.name;
  const common = {
    "aria-invalid": error !== undefined,
    "data-testid": testId,
  };
  let input: ReactNode;
  if (field.kind === "boolean") {
    input = (
      <input
        type="checkbox"
        checked={value === true}
        onChange={(e) => onChange(e.target.checked)}
        {...common}
      />
    );
  } else if (field.kind === "enum") {
    input = (
      <select value={String(value)} onChange={(e) => onChange(e.target.value)} {...common}>
        {(!field.required || field.default === undefined) && <option value="">—</option>}
        {field.options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === "json") {
    input = (
      <textarea
        rows={3}
        className="mono"
        value={String(value)}
        placeholder="JSON"
        onChange={(e) => onChange(e.target.value)}
        {...common}
      />
    );
  } else {
    input = (
      <input
        type={field.kind === "string" ? "text" : "number"}
        step={field.kind === "integer" ? 1 : "any"}
        value={String(value)}
        placeholder={field.default === undefined ? "" : String(field.default)}
        onChange={(e) => onChange(e.target.value)}
        {...common}
      />
    );
  }
  return (
    <div className={error ? "config-field invalid" : "config-field"}>
      <label>
        <span className="config-label">
          <span className="mono">{label}</span>
          {field.required && <span className="required"> *</span>}
          {field.kind !== "boolean" && field.kind !== "json" && (
            <span className="muted config-type"> {field.kind}</span>
          )}
        </span>
        {input}
      </label>
      {field.description && <p className="muted config-description">{field.description}</p>}
      {error && <FieldError message={error} />}
    </div>
  );
}

function FieldError({ message }: { message: string }) {
  return (
    <p className="field-error" role="alert" data-testid="config-error">
      {message}
    </p>
  );
}
