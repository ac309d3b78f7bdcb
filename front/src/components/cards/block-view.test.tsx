import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BlockView } from "@/components/cards/block-view";

const scatter = {
  type: "scatter",
  title: "Returns: NQ (nq) against ES (es)",
  x: "nq",
  y: ["es"],
  columns: [
    { name: "nq", type: "number" },
    { name: "es", type: "number" },
  ],
  rows: [
    [1.2, 0.9],
    [-0.5, -0.4],
    [0.1, null],
    [-2, -1.6],
  ],
};

describe("BlockView scatter", () => {
  it("draws one dot per row that has both values, under the block's own title", () => {
    const { container } = render(<BlockView block={scatter} cardTitle="Daily returns" symbol="NQ" />);
    expect(screen.getByRole("heading", { name: scatter.title })).toBeInTheDocument();
    expect(screen.getByRole("img", { name: /scatter of es against nq, 3 points/i })).toBeInTheDocument();
    const dots = container.querySelectorAll("circle.dot");
    expect(dots).toHaveLength(3);
    const at = (i: number) => ({ cx: Number(dots[i]!.getAttribute("cx")), cy: Number(dots[i]!.getAttribute("cy")) });
    expect(at(0).cx).toBeGreaterThan(at(2).cx); // larger x to the right
    expect(at(0).cy).toBeLessThan(at(2).cy); // larger y higher up (SVG y grows downwards)
  });

  it("says so when the scatter has no numeric columns", () => {
    render(<BlockView block={{ type: "scatter", rows: [] }} cardTitle="Empty" symbol="NQ" />);
    expect(screen.getByText("This chart card has no data to show.")).toBeInTheDocument();
  });
});
