import { useSyncExternalStore } from "react";

/**
 * The colour theme: `system` follows the browser's `prefers-color-scheme`; `light` and `dark`
 * force one. The choice is kept in localStorage and applied as `data-theme` on the root element,
 * which styles.css turns into a `color-scheme` (its palette uses `light-dark()`).
 */
export const THEME_PREFERENCES = ["system", "light", "dark"] as const;
export type ThemePreference = (typeof THEME_PREFERENCES)[number];

const STORAGE_KEY = "lignee.theme";
const listeners = new Set<() => void>();

export function readThemePreference(): ThemePreference {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage disabled: the system theme
  }
  return THEME_PREFERENCES.find((p) => p === stored) ?? "system";
}

/** Applies the stored preference to the document: call once before the first render. */
export function applyStoredTheme(): void {
  applyTheme(readThemePreference());
}

function applyTheme(preference: ThemePreference): void {
  if (preference === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = preference;
}

export function setThemePreference(preference: ThemePreference): void {
  try {
    if (preference === "system") localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, preference);
  } catch {
    // storage disabled: the choice lasts until the page is reloaded
  }
  applyTheme(preference);
  current = preference;
  for (const listener of listeners) listener();
}

let current: ThemePreference | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The theme preference, re-rendering on change; also what React Flow's `colorMode` takes
 * ("system" | "light" | "dark").
 */
export function useThemePreference(): ThemePreference {
  return useSyncExternalStore(subscribe, () => (current ??= readThemePreference()));
}
