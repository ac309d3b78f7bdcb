import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from "react-router";
import { AppLayout } from "@/components/layout/app-layout";
import { RouteErrorBoundary } from "@/components/layout/route-error-boundary";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Spinner } from "@/components/ui/spinner";
import { HomePage } from "@/routes/home";
import { NotFoundPage } from "@/routes/not-found";
import { ServicesProvider, useSession } from "@/state/services";

const SignInPage = lazy(() => import("@/routes/sign-in").then((m) => ({ default: m.SignInPage })));
const InstrumentPage = lazy(() => import("@/routes/instrument").then((m) => ({ default: m.InstrumentPage })));
const ChatPage = lazy(() => import("@/routes/chat").then((m) => ({ default: m.ChatPage })));
const QueryPage = lazy(() => import("@/routes/query").then((m) => ({ default: m.QueryPage })));

function PageFallback() {
  return (
    <div className="center-screen" style={{ minHeight: 200 }}>
      <Spinner label="Loading" />
    </div>
  );
}

/** The app before its configuration is loaded, or when it could not be. */
const starting = (
  <main className="center-screen">
    <Spinner label="Loading Barb" />
  </main>
);
function StartFailed({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main className="center-screen">
      <div className="auth-card">
        <h1>Barb</h1>
        <ErrorAlert error={error} />
        <Button onClick={retry}>Try again</Button>
      </div>
    </main>
  );
}

/** Sends a signed-out visitor to sign-in, remembering the page they asked for. */
function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

export function App() {
  return (
    <ServicesProvider loading={starting} failed={(error, retry) => <StartFailed error={error} retry={retry} />}>
      <BrowserRouter>
        <Suspense fallback={<PageFallback />}>
          <Routes>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route element={<RequireSession />}>
              <Route element={<AppLayout />}>
                <Route element={<RouteErrorBoundary />}>
                  <Route index element={<HomePage />} />
                  <Route path="i/:symbol" element={<InstrumentPage />} />
                  <Route path="i/:symbol/c/:id" element={<ChatPage />} />
                  <Route path="i/:symbol/query" element={<QueryPage />} />
                  <Route path="*" element={<NotFoundPage />} />
                </Route>
              </Route>
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </ServicesProvider>
  );
}
