import { createContext, use } from "react";
import type { DataCard } from "@/lib/api-types";

// The app layout's shared state (sidebar, data panel), provided by <AppLayout> to the pages and cards inside it.

/** A card opened full size in the data panel, with what it needs to show its query. */
export interface PanelItem {
  card: DataCard;
  symbol: string;
  query: unknown;
}

export interface Layout {
  isPhone: boolean;
  sidebarOpen: boolean;
  toggleSidebar: () => void;
  panel: PanelItem | null;
  openPanel: (item: PanelItem) => void;
  closePanel: () => void;
}

export const LayoutContext = createContext<Layout | null>(null);

/** The layout around the current page (only inside <AppLayout>). */
export function useLayout(): Layout {
  const layout = use(LayoutContext);
  if (!layout) throw new Error("useLayout must be used inside <AppLayout>");
  return layout;
}
