import { type FormEvent, useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Spinner } from "@/components/ui/spinner";
import { LocalAuth } from "@/lib/auth";
import { userMessage } from "@/lib/errors";
import type { SupabaseAuth } from "@/lib/supabase-auth";
import { useServices, useSession } from "@/state/services";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Only same-site paths are accepted as a return target (no open redirect). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function LocalForm({ auth }: { auth: LocalAuth }) {
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!EMAIL.test(email.trim())) {
      setError("Enter a valid e-mail address.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await auth.signIn(email);
    } catch (err) {
      setError(userMessage(err));
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="auth-card" noValidate>
      <p className="muted">Local mode: sign in with your e-mail address, no password.</p>
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input id="email" className="input" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={error ? true : undefined} />
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? <Spinner /> : null} Sign in
      </Button>
    </form>
  );
}

function SupabaseForm({ auth, next }: { auth: SupabaseAuth; next: string }) {
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const returnTo = `${window.location.origin}${next}`;
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(userMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-card">
      <Button onClick={() => void run(() => auth.signInWithGoogle(returnTo))} disabled={busy}>
        Continue with Google
      </Button>
      <div className="divider">or</div>
      {!sent ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!EMAIL.test(email.trim())) return setError("Enter a valid e-mail address.");
            void run(async () => {
              await auth.sendEmail(email.trim(), returnTo);
              setSent(true);
            });
          }}
          className="auth-card"
        >
          <div className="field">
            <label htmlFor="email">E-mail</label>
            <input id="email" className="input" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? <Spinner /> : null} Send me a link and a code
          </Button>
        </form>
      ) : (
        <form
          noValidate
          className="auth-card"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => auth.verifyCode(email.trim(), code.trim()));
          }}
        >
          <p>
            We sent an e-mail to <strong>{email}</strong>. Open its link on this device, or type the 6-digit code here.
          </p>
          <div className="field">
            <label htmlFor="code">6-digit code</label>
            <input id="code" className="input" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))} />
          </div>
          <Button type="submit" variant="primary" disabled={busy || code.length !== 6}>
            Verify code
          </Button>
          <Button variant="ghost" onClick={() => setSent(false)}>
            Use another e-mail
          </Button>
        </form>
      )}
      {error ? <ErrorAlert error={error} /> : null}
    </div>
  );
}

/** Sign-in for the configured mode; once signed in, returns to the page that was asked for. */
export function SignInPage() {
  const { auth } = useServices();
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  if (session) return <Navigate to={next} replace />;
  return (
    <main className="center-screen">
      <div className="auth-card">
        <h1>Barb</h1>
        <p className="muted">Sign in to ask questions about market history.</p>
        {auth instanceof LocalAuth ? <LocalForm auth={auth} /> : <SupabaseForm auth={auth as SupabaseAuth} next={next} />}
      </div>
    </main>
  );
}
