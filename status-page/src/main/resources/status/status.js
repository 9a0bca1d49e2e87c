// Keeps the public status page current without a reload: asks /api/v2/summary.json about once a second
// with the page's ETag, and when the page changed, reads the page again and swaps its content.
// The page is complete without this script.
const content = () => document.getElementById('content');
let etag = content() ? content().dataset.etag : null;

async function refresh() {
  const headers = etag ? { 'If-None-Match': etag } : {};
  const summary = await fetch('/api/v2/summary.json', { headers, cache: 'no-store' });
  if (summary.status !== 200) {
    return;
  }
  const page = await fetch(window.location.pathname, { cache: 'no-store' });
  if (page.status !== 200) {
    return;
  }
  const next = new DOMParser().parseFromString(await page.text(), 'text/html');
  const fresh = next.getElementById('content');
  if (fresh && content()) {
    content().replaceWith(document.importNode(fresh, true));
    etag = fresh.dataset.etag;
    document.title = next.title;
  }
}

async function loop() {
  try {
    await refresh();
  } catch (e) {
    // Offline or the server restarting: the next round asks again.
  }
  setTimeout(loop, document.hidden ? 10000 : 1000);
}

if (etag) {
  setTimeout(loop, 1000);
}
