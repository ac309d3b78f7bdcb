/** Test helpers for integration tests that render the whole app over the fake backend. */
import { cleanup, render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, vi } from "vitest";
import { App } from "@/app";
import { signInLocally } from "@/test/fake-backend";

/**
 * Call once at the top of a test file: every test starts signed in locally, and after it the app is unmounted
 * before the stubbed globals go (its effects still read matchMedia while unmounting), storage is cleared and
 * the URL is back at `/`.
 */
export function resetTheAppAroundEachTest(): void {
  beforeEach(signInLocally);
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    localStorage.clear();
    window.history.pushState({}, "", "/");
  });
}

/** Renders the app at `path`, with a user-event session to drive it. */
export function renderApp(path = "/") {
  window.history.pushState({}, "", path);
  const user = userEvent.setup();
  return { user, ...render(<App />) };
}
