import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";

// jsdom has no canvas: the price chart is exercised by its own test and the browser tests.
vi.mock("@/components/instrument/price-chart", () => ({ PriceChart: () => <div>price chart</div> }));

resetTheAppAroundEachTest();

type Backend = ReturnType<typeof installBackend>;

interface Refusal {
  page: string;
  shown: string;
  refuse: (backend: Backend, body: unknown, status: number) => void;
  code: string;
  status: number;
  sentence: string;
  question: string;
}

const REFUSALS: Refusal[] = [
  {
    page: "/i/NQ/c/B",
    shown: "Old answer in B",
    refuse: (backend, body, status) => backend.failChatWith(body, status),
    code: "RATE_LIMITED",
    status: 429,
    sentence: "You are sending messages too fast. Try again in a minute.",
    question: "A careful question",
  },
  {
    page: "/i/NQ",
    shown: "price chart",
    refuse: (backend, body, status) => backend.failCreateWith(body, status),
    code: "UNAVAILABLE",
    status: 503,
    sentence: "The service is busy. Try again shortly.",
    question: "Gap fills in 2024?",
  },
];

describe("a question the server refuses", () => {
  it.each(REFUSALS)("stays in the box on $page with the server's sentence, not its code", async ({ page, shown, refuse, code, status, sentence, question }) => {
    refuse(installBackend(), { error: sentence, code, request_id: "r1" }, status);
    const { user } = renderApp(page);
    await screen.findByText(shown);
    const box = screen.getByLabelText("Your question");
    await user.type(box, `${question}{Enter}`);
    expect(await screen.findByRole("alert")).toHaveTextContent(sentence);
    expect(screen.getByRole("alert")).not.toHaveTextContent(code);
    expect(box).toHaveValue(question);
    expect(window.location.pathname).toBe(page);
  });
});
