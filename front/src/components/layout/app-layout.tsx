import { createContext, type CSSProperties, lazy, Suspense, use, useCallback, useEffect, useMemo, useState } from "react";
import { Outlet, useLocation } from "react-router";
import { Sidebar } from "@/components/layout/sidebar";
import { UndoToasts } from "@/components/layout/undo-toasts";
import { IconButton } from "@/components/ui/button";
import { ResizeHandle } from "@/components/ui/resize-handle";
import { isMod, useHotkey } from "@/hooks/use-hotkey";
import { useIsPhone } from "@/hooks/use-media-query";
import { useOnline } from "@/hooks/use-online";
import { useStoredNumber } from "@/hooks/use-stored-number";
import type { DataCard } from "@/lib/api-types";
import { useServices, useSession, useUserSwitchReset } from "@/state/services";

const CommandPalette = lazy(() => import("@/components/layout/command-palette").then((m) => ({ default: m.CommandPalette })));
const DataPanel = lazy(() => import("@/components/cards/data-panel").then((m) => ({ default: m.DataPanel })));

/** A card opened full size in the data panel, with what it needs to show its query. */
export interface PanelItem {
  card: DataCard;
  symbol: string;
  query: unknown;
}

interface Layout {
  isPhone: boolean;
  sidebarOpen: boolean;
  toggleSidebar: () => void;
  closeSidebar: () => void;
  panel: PanelItem | null;
  openPanel: (item: PanelItem) => void;
  closePanel: () => void;
  openPalette: () => void;
}

const LayoutContext = createContext<Layout | null>(null);

export function useLayout(): Layout {
  const layout = use(LayoutContext);
  if (!layout) throw new Error("useLayout must be used inside <AppLayout>");
  return layout;
}

/** The header's button that opens the sidebar drawer on phones (and brings back a collapsed sidebar). */
export function SidebarToggle() {
  const { isPhone, sidebarOpen, toggleSidebar } = useLayout();
  if (!isPhone && sidebarOpen) return null;
  return <IconButton icon="menu" label="Open sidebar" aria-expanded={sidebarOpen} aria-controls="sidebar" onClick={toggleSidebar} />;
}

/** Sidebar + main column + resizable data panel; on phones a drawer and a full-screen sheet. */
export function AppLayout() {
  const { workspace } = useServices();
  const session = useSession();
  const userId = session?.user.id;
  const isPhone = useIsPhone();
  const online = useOnline();
  const location = useLocation();
  const [desktopSidebar, setDesktopSidebar] = useState(true);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [panel, setPanel] = useState<PanelItem | null>(null);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [sidebarWidth, setSidebarWidth] = useStoredNumber("layout-sidebar-px", 272, 220, 420);
  const [panelWidth, setPanelWidth] = useStoredNumber("layout-panel-px", Math.round(window.innerWidth * 0.42), 320, Math.max(360, window.innerWidth - 480));
  useUserSwitchReset();

  // Load the sidebar for the signed-in user, and again when the connection comes back.
  useEffect(() => {
    if (!userId || !online) return;
    void workspace.loadInstruments();
    void workspace.loadConversations();
  }, [workspace, userId, online]);

  // A navigation closes the phone drawer and the card panel of the page you left.
  useEffect(() => {
    setDrawerOpen(false);
    setPanel(null);
  }, [location.pathname]);

  useHotkey((e) => isMod(e) && e.key.toLowerCase() === "k", (e) => {
    e.preventDefault();
    setPaletteOpen(true);
  });
  useHotkey((e) => e.key === "Escape" && (drawerOpen || (panel !== null && !paletteOpen)), () => {
    if (drawerOpen) setDrawerOpen(false);
    else setPanel(null);
  });

  const sidebarOpen = isPhone ? drawerOpen : desktopSidebar;
  const toggleSidebar = useCallback(() => (isPhone ? setDrawerOpen((v) => !v) : setDesktopSidebar((v) => !v)), [isPhone]);
  const closeSidebar = useCallback(() => (isPhone ? setDrawerOpen(false) : setDesktopSidebar(false)), [isPhone]);
  const layout = useMemo<Layout>(
    () => ({
      isPhone,
      sidebarOpen,
      toggleSidebar,
      closeSidebar,
      panel,
      openPanel: setPanel,
      closePanel: () => setPanel(null),
      openPalette: () => setPaletteOpen(true),
    }),
    [isPhone, sidebarOpen, toggleSidebar, closeSidebar, panel],
  );

  return (
    <LayoutContext value={layout}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="app" style={{ "--sidebar-w": `${sidebarWidth}px`, "--panel-w": `${panelWidth}px` } as CSSProperties}>
        {sidebarOpen || isPhone ? <Sidebar open={sidebarOpen} /> : null}
        {isPhone && drawerOpen ? <div className="backdrop" onClick={() => setDrawerOpen(false)} aria-hidden="true" /> : null}
        {sidebarOpen && !isPhone ? (
          <ResizeHandle label="Resize sidebar" value={sidebarWidth} min={220} max={420} direction={1} onChange={setSidebarWidth} onReset={() => setSidebarWidth(272)} />
        ) : null}
        <main id="main" className="main" tabIndex={-1}>
          <div className="main-column">
            {!online ? (
              <p className="offline" role="status">
                You are offline. Lists and answers will load again when the connection is back.
              </p>
            ) : null}
            <Outlet />
          </div>
          {panel ? (
            <>
              {!isPhone ? (
                <ResizeHandle label="Resize data panel" value={panelWidth} min={320} max={Math.max(360, window.innerWidth - 480)} direction={-1} onChange={setPanelWidth} />
              ) : null}
              <Suspense fallback={null}>
                <DataPanel item={panel} onClose={() => setPanel(null)} />
              </Suspense>
            </>
          ) : null}
        </main>
      </div>
      <UndoToasts />
      {paletteOpen ? (
        <Suspense fallback={null}>
          <CommandPalette onClose={() => setPaletteOpen(false)} />
        </Suspense>
      ) : null}
    </LayoutContext>
  );
}

