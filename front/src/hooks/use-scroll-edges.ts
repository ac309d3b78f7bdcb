import { type RefObject, useEffect, useState } from "react";

export interface ScrollEdges {
  /** Content is hidden to the left (scrolled away). */
  left: boolean;
  /** Content is hidden to the right (more columns). */
  right: boolean;
}

/** Which sides of a horizontally scrolling box hide content; a pixel of slack absorbs sub-pixel widths. */
export function scrollEdges(box: Pick<HTMLElement, "scrollLeft" | "clientWidth" | "scrollWidth">): ScrollEdges {
  return { left: box.scrollLeft > 1, right: box.scrollLeft + box.clientWidth < box.scrollWidth - 1 };
}

/** `scrollEdges` of the box in `ref`, kept current as it scrolls or its size or content changes. */
export function useScrollEdges(ref: RefObject<HTMLElement | null>, contentKey: unknown): ScrollEdges {
  const [edges, setEdges] = useState<ScrollEdges>({ left: false, right: false });
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const update = () => {
      const next = scrollEdges(box);
      setEdges((prev) => (prev.left === next.left && prev.right === next.right ? prev : next));
    };
    update();
    box.addEventListener("scroll", update, { passive: true });
    const observer = typeof ResizeObserver === "function" ? new ResizeObserver(update) : null;
    observer?.observe(box);
    if (box.firstElementChild) observer?.observe(box.firstElementChild);
    return () => {
      box.removeEventListener("scroll", update);
      observer?.disconnect();
    };
  }, [ref, contentKey]);
  return edges;
}
