import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { TableBlock } from "@/components/cards/table-block";

const table = {
  columns: [
    { name: "date", type: "date" },
    { name: "chg", type: "number" },
    { name: "volume", type: "integer" },
  ],
  rows: Array.from({ length: 10_000 }, (_, i) => [`2000-01-${String((i % 28) + 1).padStart(2, "0")}`, ((i * 37) % 200) / 10 - 10, i * 10]),
  truncated: true,
  totalRows: 25_000,
};

describe("TableBlock", () => {
  beforeEach(() => {
    // jsdom does no layout: give the scroll area the size a browser would, so the virtualizer has a window.
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(380);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
  });

  it("renders only a window of 10 000 rows, with formatted numbers and the truncation note", () => {
    render(<TableBlock table={table} title="Big" />);
    const rows = screen.getAllByRole("row").filter((r) => !r.getAttribute("aria-hidden"));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(100);
    expect(screen.getByText("10,000 rows shown of 25,000 (truncated)")).toBeInTheDocument();
    expect(within(rows[2]!).getByText("10")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("-10.0")).toHaveClass("down");
  });

  it("sorts by a column header and says so to assistive tech", async () => {
    const user = userEvent.setup();
    render(<TableBlock table={table} title="Big" />);
    const header = screen.getByRole("columnheader", { name: /Volume/ });
    await user.click(within(header).getByRole("button"));
    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "descending");
    const first = screen.getAllByRole("row").filter((r) => !r.getAttribute("aria-hidden"))[1]!;
    expect(within(first).getByText("99,990")).toBeInTheDocument();
  });

  it("says when there are no rows", () => {
    render(<TableBlock table={{ ...table, rows: [], truncated: false, totalRows: null }} title="Empty" />);
    expect(screen.getByText("The query returned no rows.")).toBeInTheDocument();
  });
});
