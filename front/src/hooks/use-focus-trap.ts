import { type RefObject, useEffect } from "react";

const TABBABLE = 'a[href], button:not(:disabled), input:not(:disabled):not([type="hidden"]), select:not(:disabled), textarea:not(:disabled), [tabindex]';

/** The elements Tab visits inside `container`, in document order (tabindex="-1" and inert or closed parts left out). */
export function tabbables(container: HTMLElement): HTMLElement[] {
  // Walks every element rather than querySelectorAll(TABBABLE): jsdom returns a selector list's matches grouped by selector.
  return [...container.querySelectorAll<HTMLElement>("*")].filter((el) => el.matches(TABBABLE) && el.tabIndex >= 0 && !el.closest("[inert], dialog:not([open])"));
}

/**
 * While `active`, Tab and Shift+Tab wrap around inside the container (a drawer acting as a modal), and a Tab from
 * anywhere outside it comes back in. A modal `<dialog>` opened on top keeps its own native trap.
 */
export function useFocusTrap(ref: RefObject<HTMLElement | null>, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      const container = ref.current;
      const current = document.activeElement;
      if (e.key !== "Tab" || !container || current?.closest("dialog[open]")) return;
      const stops = tabbables(container);
      const first = stops[0];
      const last = stops[stops.length - 1];
      if (!first || !last) return;
      const inside = current !== null && container.contains(current);
      if (!inside || current === (e.shiftKey ? first : last)) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [ref, active]);
}
