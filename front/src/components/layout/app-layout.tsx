import { type CSSProperties, lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Outlet, useLocation } from "react-router";
import { Sidebar } from "@/components/layout/sidebar";
import { UndoToasts } from "@/components/layout/undo-toasts";
import { IconButton } from "@/components/ui/button";
import { ResizeHandle } from "@/components/ui/resize-handle";
import { isMod, useHotkey } from "@/hooks/use-hotkey";
import { type Layout, LayoutContext, type PanelItem, useLayout } from "@/hooks/use-layout";
import { useIsPhone } from "@/hooks/use-media-query";
import { useOnline } from "@/hooks/use-online";
import { useStoredNumber } from "@/hooks/use-stored-number";
import { useServices, useSession, useUserSwitchReset } from "@/state/services";

const CommandPalette = lazy(() => import("@/components/layout/command-palette").then((m) => ({ default: m.CommandPalette })));
const DataPanel = lazy(() => import("@/components/cards/data-panel").then((m) => ({ default: m.DataPanel })));


/** Navigation state asking the layout to focus the new page's heading (the palette sends it). */
export interface FocusPageState {
  focusPage: true;
}

/**
 * Focuses the page's main heading once it has rendered (a lazy page shows a spinner first) and `main` is no longer
 * inert, unless the page has taken focus itself (the chat's question box). Returns the cleanup.
 */
function focusPageHeading(main: HTMLElement): () => void {
  const settle = () => {
    const active = document.activeElement;
    if (active && active !== main && main.contains(active)) return true;
    const heading = main.querySelector<HTMLElement>("h1");
    if (!heading || main.inert) return false;
    // Headings are not focusable by default; -1 keeps them out of the Tab order.
    if (!heading.hasAttribute("tabindex")) heading.tabIndex = -1;
    heading.focus();
    return true;
  };
  if (settle()) return () => undefined;
  const observer = new MutationObserver(() => {
    if (settle()) observer.disconnect();
  });
  observer.observe(main, { childList: true, subtree: true, attributes: true, attributeFilter: ["inert"] });
  return () => observer.disconnect();
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
  const drawerOpener = useRef<HTMLElement | null>(null);
  const main = useRef<HTMLElement>(null);
  const shownKey = useRef(location.key);
  useUserSwitchReset();

  // Load the sidebar for the signed-in user, and again when the connection comes back.
  useEffect(() => {
    if (!userId || !online) return;
    void workspace.loadInstruments();
    void workspace.loadConversations();
  }, [workspace, userId, online]);

  /** Escape, the close button and the backdrop send focus back to the button that opened the drawer. */
  const closeDrawer = useCallback((returnFocus: boolean) => {
    if (!returnFocus) drawerOpener.current = null;
    setDrawerOpen(false);
  }, []);
  useEffect(() => {
    if (drawerOpen || !drawerOpener.current) return;
    drawerOpener.current.focus();
    drawerOpener.current = null;
  }, [drawerOpen]);

  // A navigation closes the phone drawer and the card panel of the page you left.
  useEffect(() => {
    closeDrawer(false);
    setPanel(null);
  }, [location.pathname, closeDrawer]);

  // After a navigation that left focus nowhere (the focused element went with the old page, or sat in the closing
  // drawer), or that asked for it (the palette), focus the new page's heading instead of leaving it on <body>. The
  // first page keeps the browser's own starting point.
  useEffect(() => {
    if (location.key === shownKey.current || !main.current) return;
    shownKey.current = location.key;
    const active = document.activeElement;
    const asked = (location.state as Partial<FocusPageState> | null)?.focusPage === true;
    const lost = !active || active === document.body || !active.isConnected;
    const inClosingDrawer = isPhone && drawerOpen && active?.closest("#sidebar") != null;
    if (!asked && !lost && !inClosingDrawer) return;
    return focusPageHeading(main.current);
    // Only a new location moves focus; the drawer and phone state are read as they were when it arrived.
  }, [location.key]);

  useHotkey((e) => isMod(e) && e.key.toLowerCase() === "k", (e) => {
    e.preventDefault();
    setPaletteOpen(true);
  });
  // A dialog on top (the palette, Add instrument) handles its own Esc.
  useHotkey((e) => e.key === "Escape" && (drawerOpen || panel !== null) && !document.querySelector("dialog[open]"), () => {
    if (drawerOpen) closeDrawer(true);
    else setPanel(null);
  });

  const sidebarOpen = isPhone ? drawerOpen : desktopSidebar;
  const toggleSidebar = useCallback(() => {
    if (!isPhone) return setDesktopSidebar((v) => !v);
    if (drawerOpen) return closeDrawer(true);
    drawerOpener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setDrawerOpen(true);
  }, [isPhone, drawerOpen, closeDrawer]);
  const closeSidebar = useCallback(() => (isPhone ? closeDrawer(true) : setDesktopSidebar(false)), [isPhone, closeDrawer]);
  const openPalette = useCallback(() => setPaletteOpen(true), []);
  const modalDrawer = isPhone && drawerOpen;
  const layout = useMemo<Layout>(
    () => ({
      isPhone,
      sidebarOpen,
      toggleSidebar,
      panel,
      openPanel: setPanel,
      closePanel: () => setPanel(null),
    }),
    [isPhone, sidebarOpen, toggleSidebar, panel],
  );

  return (
    <LayoutContext value={layout}>
      {/* While the phone drawer is open the rest is inert, as behind a modal: unreachable by Tab and hidden from screen readers. */}
      <a className="skip-link" href="#main" inert={modalDrawer}>
        Skip to content
      </a>
      <div className="app" style={{ "--sidebar-w": `${sidebarWidth}px`, "--panel-w": `${panelWidth}px` } as CSSProperties}>
        {sidebarOpen || isPhone ? <Sidebar open={sidebarOpen} isPhone={isPhone} onClose={closeSidebar} onOpenPalette={openPalette} /> : null}
        {modalDrawer ? <div className="backdrop" onClick={() => closeDrawer(true)} aria-hidden="true" /> : null}
        {sidebarOpen && !isPhone ? (
          <ResizeHandle label="Resize sidebar" value={sidebarWidth} min={220} max={420} direction={1} onChange={setSidebarWidth} onReset={() => setSidebarWidth(272)} />
        ) : null}
        <main id="main" className="main" tabIndex={-1} ref={main} inert={modalDrawer}>
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

