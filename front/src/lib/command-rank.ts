/** What the command palette searches: every command has a label; instruments also have a symbol and a name. */
export interface Searchable {
  label: string;
  symbol?: string;
  name?: string;
}

function tier(item: Searchable, q: string): number | null {
  const symbol = item.symbol?.toLowerCase();
  if (symbol === q) return 0;
  if (symbol?.startsWith(q)) return 1;
  if (item.name?.toLowerCase().includes(q)) return 2;
  if (item.label.toLowerCase().includes(q)) return 3;
  return null;
}

/**
 * The items matching `query` (case-insensitive), best first: an exact symbol, then symbols starting with it, then
 * instrument names containing it, then any other label containing it. Within a tier the input order is kept.
 */
export function rankCommands<T extends Searchable>(items: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return items;
  return items
    .map((item) => ({ item, tier: tier(item, q) }))
    .filter((m): m is { item: T; tier: number } => m.tier !== null)
    .sort((a, b) => a.tier - b.tier)
    .map((m) => m.item);
}
