import { type KeyboardEvent, type PointerEvent, useRef } from "react";

interface ResizeHandleProps {
  label: string;
  value: number;
  min: number;
  max: number;
  /** +1 when dragging right grows the panel (a left sidebar), -1 when it shrinks it (a right panel). */
  direction: 1 | -1;
  onChange: (value: number) => void;
  onReset?: () => void;
}

/** A separator that resizes a panel with mouse, touch or pen (pointer events) and the keyboard (arrows, Home/End). */
export function ResizeHandle({ label, value, min, max, direction, onChange, onReset }: ResizeHandleProps) {
  const drag = useRef<{ x: number; start: number } | null>(null);
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, start: value };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (drag.current) onChange(clamp(drag.current.start + direction * (e.clientX - drag.current.x)));
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 48 : 16;
    if (e.key === "ArrowLeft") onChange(clamp(value - direction * step));
    else if (e.key === "ArrowRight") onChange(clamp(value + direction * step));
    else if (e.key === "Home") onChange(min);
    else if (e.key === "End") onChange(max);
    else return;
    e.preventDefault();
  };
  return (
    <div
      className="resizer desktop-only"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuemin={min}
      aria-valuemax={max}
      aria-valuenow={Math.round(value)}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
      onDoubleClick={onReset}
    />
  );
}
