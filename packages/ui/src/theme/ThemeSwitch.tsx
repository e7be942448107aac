import {
  setThemePreference,
  THEME_PREFERENCES,
  useThemePreference,
  type ThemePreference,
} from "./theme";

const LABELS: Record<ThemePreference, string> = {
  system: "System",
  light: "Light",
  dark: "Dark",
};

/** The top bar's theme choice: follow the system, or force light or dark. */
export function ThemeSwitch() {
  const preference = useThemePreference();
  return (
    <select
      className="theme-switch"
      aria-label="Colour theme"
      value={preference}
      onChange={(e) =>
        setThemePreference(THEME_PREFERENCES.find((p) => p === e.target.value) ?? "system")
      }
      data-testid="theme-switch"
    >
      {THEME_PREFERENCES.map((p) => (
        <option key={p} value={p}>
          {LABELS[p]}
        </option>
      ))}
    </select>
  );
}
