import { useSyncExternalStore } from "react";
import { readTheme, resolvedTheme, setTheme, subscribeTheme, type ThemePreference } from "@/lib/theme";

/** The stored preference, the resolved theme and a setter. */
export function useTheme(): { preference: ThemePreference; resolved: "light" | "dark"; set: (p: ThemePreference) => void } {
  const preference = useSyncExternalStore(subscribeTheme, readTheme, () => "system" as const);
  const resolved = useSyncExternalStore(subscribeTheme, resolvedTheme, () => "light" as const);
  return { preference, resolved, set: setTheme };
}
