import type { Usage } from "@/lib/api-types";

// What an answer cost and how long its steps took, as the chat shows them.

/** A cost in US dollars with enough precision for fractions of a cent. */
export function formatCost(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
}

/** Token counts: 950, 1.2k, 3.4M. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatUsage(usage: Usage): string {
  const parts = [`${formatTokens(usage.input_tokens)} in`, `${formatTokens(usage.output_tokens)} out`];
  const cached = usage.cache_read_tokens ?? 0;
  if (cached > 0) parts.push(`${formatTokens(cached)} cached`);
  const cost = usage.cost_usd === undefined ? "" : `${formatCost(usage.cost_usd)} · `;
  return cost + parts.join(" / ");
}

/** Elapsed time: 850 ms, 1.2 s, 1 m 05 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, "0")} s`;
}
