import { describe, expect, it } from "vitest";
import { scrollEdges } from "@/hooks/use-scroll-edges";

describe("scrollEdges", () => {
  it("says which sides of a wide table are out of view", () => {
    expect(scrollEdges({ scrollLeft: 0, clientWidth: 360, scrollWidth: 720 })).toEqual({ left: false, right: true });
    expect(scrollEdges({ scrollLeft: 180, clientWidth: 360, scrollWidth: 720 })).toEqual({ left: true, right: true });
    expect(scrollEdges({ scrollLeft: 359.5, clientWidth: 360, scrollWidth: 720 })).toEqual({ left: true, right: false });
  });

  it("says nothing for a table that fits", () => {
    expect(scrollEdges({ scrollLeft: 0, clientWidth: 800, scrollWidth: 800.5 })).toEqual({ left: false, right: false });
  });
});
