import { describe, expect, it } from "vitest";
import { dateGroup, groupByDate } from "@/lib/date-groups";

describe("date groups", () => {
  const now = new Date(2026, 10, 28, 10, 0);
  it("puts timestamps in sidebar groups", () => {
    expect(dateGroup(new Date(2026, 10, 28, 1, 0).toISOString(), now)).toBe("Today");
    expect(dateGroup(new Date(2026, 10, 27, 23, 0).toISOString(), now)).toBe("Yesterday");
    expect(dateGroup(new Date(2026, 10, 23).toISOString(), now)).toBe("Previous 7 days");
    expect(dateGroup(new Date(2026, 10, 5).toISOString(), now)).toBe("Previous 30 days");
    expect(dateGroup(new Date(2026, 6, 5).toISOString(), now)).toBe("July 2026");
    expect(dateGroup("nonsense", now)).toBe("Older");
  });

  it("keeps order within and across groups", () => {
    const items = [
      { id: 1, at: new Date(2026, 10, 28, 9).toISOString() },
      { id: 2, at: new Date(2026, 10, 28, 8).toISOString() },
      { id: 3, at: new Date(2026, 10, 27).toISOString() },
    ];
    expect(groupByDate(items, (i) => i.at, now).map(([g, list]) => [g, list.map((i) => i.id)])).toEqual([
      ["Today", [1, 2]],
      ["Yesterday", [3]],
    ]);
  });
});
