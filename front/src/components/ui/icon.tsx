import type { ComponentProps } from "react";

const PATHS = {
  menu: "M4 6h16M4 12h16M4 18h16",
  more: "M6 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM12 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM18 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z",
  plus: "M12 5v14M5 12h14",
  x: "M6 6l12 12M18 6L6 18",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-3.5-3.5",
  send: "M5 12h14M13 6l6 6-6 6",
  stop: "M7 7h10v10H7z",
  copy: "M9 9h10v10H9zM5 15V5h10",
  refresh: "M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6",
  edit: "M4 20h4L19 9l-4-4L4 16v4z",
  trash: "M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13",
  expand: "M4 14v6h6M20 10V4h-6M4 20l7-7M20 4l-7 7",
  code: "M8 8l-4 4 4 4M16 8l4 4-4 4",
  download: "M12 4v11M7 10l5 5 5-5M5 20h14",
  sun: "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM12 2v2M12 20v2M2 12h2M20 12h2M5 5l1.5 1.5M17.5 17.5L19 19M5 19l1.5-1.5M17.5 6.5L19 5",
  check: "M5 12l5 5 9-10",
  alert: "M12 8v5M12 16.5v.5M10.3 3.9L2.6 17.5A2 2 0 0 0 4.3 20.5h15.4a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z",
  chevron: "M9 6l6 6-6 6",
  terminal: "M4 6l5 5-5 5M11 18h9",
  logout: "M15 17l5-5-5-5M20 12H9M12 20H5V4h7",
} as const;

export type IconName = keyof typeof PATHS;

/** A stroke icon; decorative unless given a `title`. */
export function Icon({ name, size = 16, title, ...props }: { name: IconName; size?: number; title?: string } & ComponentProps<"svg">) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={title ? undefined : true}
      role={title ? "img" : undefined}
      {...props}
    >
      {title ? <title>{title}</title> : null}
      <path d={PATHS[name]} />
    </svg>
  );
}
