import { SiteHeader } from './_components/site-header';

export default function Home() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="page narrow">
        <h1>Patchbay</h1>
        <p className="lead">A call center whose operators take calls from wherever they are — in the browser, on a mobile, on any SIP phone.</p>
        <ul className="cards">
          <li>
            <a className="card" href="/call" data-testid="link-call">
              <strong>Call us</strong>
              <span>Place a call from this browser to one of our numbers. No account needed.</span>
            </a>
          </li>
          <li>
            <a className="card" href="/console" data-testid="link-console">
              <strong>Operator console</strong>
              <span>Sign in, choose your device, take calls.</span>
            </a>
          </li>
          <li>
            <a className="card" href="/admin" data-testid="link-admin">
              <strong>Supervision</strong>
              <span>Operators and calls, live; each call&apos;s timeline.</span>
            </a>
          </li>
          <li>
            <a className="card" href="/login" data-testid="link-login">
              <strong>Sign in</strong>
              <span>For operators, supervisors and administrators.</span>
            </a>
          </li>
        </ul>
      </main>
    </>
  );
}
