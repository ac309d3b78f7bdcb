/** Starter questions for an instrument page; each is answerable with one or two Barb Script queries. */
export function suggestedQuestions(symbol: string): string[] {
  return [
    `How often did ${symbol} gap up more than 0.5% in 2024, and how many of those gaps filled the same day?`,
    `What is the average daily range of ${symbol} by day of week over the last year?`,
    `Show the days ${symbol} fell 2% or more in the last 12 months.`,
    `Backtest: buy ${symbol} when RSI(14) is below 30, exit after 5 days. How did it do since 2020?`,
  ];
}
