/** The text attribution required by lightweight-charts' licence, shown under every price chart. */
export function ChartAttribution() {
  return (
    <p className="attribution">
      Charts by{" "}
      <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">
        TradingView
      </a>{" "}
      Lightweight Charts™
    </p>
  );
}
