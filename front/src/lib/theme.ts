export type ThemePreference = "system" | "light" | "dark";

const KEY = "theme";
const listeners = new Set<() => void>();

export function readTheme(): ThemePreference {
  const v = typeof localStorage === "undefined" ? null : localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/** Applies a preference to `<html data-theme>`; "system" follows the OS. The same logic runs pre-paint in index.html. */
export function applyTheme(pref: ThemePreference = readTheme()): void {
  const dark = pref === "dark" || (pref === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

export function setTheme(pref: ThemePreference): void {
  if (pref === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, pref);
  applyTheme(pref);
  for (const l of [...listeners]) l();
}

/** Re-applies "system" when the OS scheme changes; returns the unsubscribe function. */
export function watchSystemTheme(): () => void {
  const list = window.matchMedia("(prefers-color-scheme: dark)");
  const onChange = () => {
    if (readTheme() === "system") applyTheme("system");
    for (const l of [...listeners]) l();
  };
  list.addEventListener("change", onChange);
  return () => list.removeEventListener("change", onChange);
}

export function subscribeTheme(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The theme actually shown ("light" or "dark"), for canvas charts that cannot read CSS variables. */
export function resolvedTheme(): "light" | "dark" {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}
