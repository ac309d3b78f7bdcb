import { useEffect, useRef } from "react";

/** True when ⌘ (macOS) or Ctrl (elsewhere) is held. */
export const isMod = (e: KeyboardEvent | React.KeyboardEvent) => e.metaKey || e.ctrlKey;

/** A document-level key handler; the latest callback is used without re-binding the listener. */
export function useHotkey(match: (e: KeyboardEvent) => boolean, handler: (e: KeyboardEvent) => void): void {
  const ref = useRef({ match, handler });
  ref.current = { match, handler };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (ref.current.match(e)) ref.current.handler(e);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}
