import { Component, type ReactNode, Suspense } from "react";
import { Outlet, useLocation } from "react-router";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";

class Boundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="content" role="alert">
        <h1>Something went wrong on this page</h1>
        <p className="muted">The rest of the app still works. You can reload this page or pick another one.</p>
        <Button onClick={() => window.location.reload()}>Reload</Button>
      </div>
    );
  }
}

/** Catches a page's render error inside the layout (the sidebar stays usable) and resets on navigation. */
export function RouteErrorBoundary() {
  const location = useLocation();
  return (
    <Boundary key={location.pathname}>
      <Suspense
        fallback={
          <div className="center-screen" style={{ minHeight: 200 }}>
            <Spinner label="Loading page" />
          </div>
        }
      >
        <Outlet />
      </Suspense>
    </Boundary>
  );
}
