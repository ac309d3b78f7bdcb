// The sidebar's grouping of conversations by how long ago they were active.

export type DateGroup = "Today" | "Yesterday" | "Previous 7 days" | "Previous 30 days" | string;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The sidebar group of a timestamp relative to `now`: Today, Yesterday, Previous 7/30 days, then "Month Year". */
export function dateGroup(iso: string | undefined, now: Date = new Date()): DateGroup {
  const date = iso ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) return "Older";
  const days = Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
  if (days <= 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days < 7) return "Previous 7 days";
  if (days < 30) return "Previous 30 days";
  return date.toLocaleDateString("en-US", { month: "long", year: "numeric" });
}

/** Groups items (already sorted newest first) by `dateGroup`, keeping the order of first appearance. */
export function groupByDate<T>(items: T[], when: (item: T) => string | undefined, now: Date = new Date()): Array<[DateGroup, T[]]> {
  const groups = new Map<DateGroup, T[]>();
  for (const item of items) {
    const key = dateGroup(when(item), now);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.entries()];
}
