import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <div className="page-body">
      <div className="content">
        <h1>Page not found</h1>
        <p>
          <Link to="/">Go to your workspace</Link>
        </p>
      </div>
    </div>
  );
}
