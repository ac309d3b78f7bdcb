import { useSyncExternalStore } from "react";

/** Whether a media query matches, updated live; the listener is removed on unmount. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}

export const PHONE_QUERY = "(max-width: 900px)";
export const useIsPhone = () => useMediaQuery(PHONE_QUERY);
