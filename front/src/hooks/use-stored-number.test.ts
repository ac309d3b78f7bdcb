import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { useStoredNumber } from "@/hooks/use-stored-number";

afterEach(() => localStorage.clear());

describe("useStoredNumber", () => {
  it("ignores a stored value outside the range, so a panel cannot be lost at zero width", () => {
    localStorage.setItem("w", "0");
    const { result } = renderHook(() => useStoredNumber("w", 300, 200, 500));
    expect(result.current[0]).toBe(300);
  });

  it("clamps and remembers new values", () => {
    const { result } = renderHook(() => useStoredNumber("w", 300, 200, 500));
    act(() => result.current[1](900));
    expect(result.current[0]).toBe(500);
    expect(localStorage.getItem("w")).toBe("500");
    expect(renderHook(() => useStoredNumber("w", 300, 200, 500)).result.current[0]).toBe(500);
  });
});
