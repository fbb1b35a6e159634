export default function Home() {
  return (
    <main>
      <h1>Hookwire Next.js receiver</h1>
      <p>POST signed webhooks to:</p>
      <ul>
        <li>
          <code>/api/webhooks</code>: App Router, Node runtime
        </li>
        <li>
          <code>/api/webhooks-edge</code>: App Router, Edge runtime
        </li>
        <li>
          <code>/api/webhooks-pages</code>: Pages Router API route
        </li>
      </ul>
      <p>
        Events received by the Node routes are listed at <code>/api/events</code>.
      </p>
    </main>
  );
}
