import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// Pages are lazy chunks: the first render of a route waits for its import, which is slower under coverage or load.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => cleanup());
