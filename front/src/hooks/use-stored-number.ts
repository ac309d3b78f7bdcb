import { useCallback, useState } from "react";

/** A number kept in localStorage (panel widths), clamped on read so a bad stored value cannot hide a panel. */
export function useStoredNumber(key: string, fallback: number, min: number, max: number): [number, (v: number) => void] {
  const [value, setValue] = useState(() => {
    const raw = Number(localStorage.getItem(key));
    return Number.isFinite(raw) && raw >= min && raw <= max ? raw : fallback;
  });
  const set = useCallback(
    (v: number) => {
      const clamped = Math.min(max, Math.max(min, v));
      setValue(clamped);
      localStorage.setItem(key, String(Math.round(clamped)));
    },
    [key, min, max],
  );
  return [value, set];
}
