import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach, expect, vi } from "vitest";

// Pages are lazy chunks: the first render of a route waits for its import, which is slower under coverage or load.
configure({ asyncUtilTimeout: 5000 });

// React's warnings (act, keys, updates during render) fail the test that caused them, as warnings do elsewhere.
const REACT_WARNING = /not wrapped in act|unique "key" prop|Cannot update a component|Maximum update depth/;
let reactWarnings: string[] = [];

beforeEach(() => {
  reactWarnings = [];
  const original = console.error;
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (REACT_WARNING.test(text)) reactWarnings.push(text.slice(0, 200));
    original(...args);
  });
});

afterEach(() => {
  cleanup();
  expect(reactWarnings, "React warnings").toEqual([]);
});
