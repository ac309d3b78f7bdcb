import { describe, expect, it } from "vitest";
import { safeNext } from "@/routes/sign-in";

describe("safeNext", () => {
  it("returns to same-site paths only", () => {
    expect(safeNext("/i/NQ/c/42?x=1")).toBe("/i/NQ/c/42?x=1");
    expect(safeNext("//evil.example/")).toBe("/");
    expect(safeNext("https://evil.example/")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});
