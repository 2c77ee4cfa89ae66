// A running import's page: every 2 seconds, read the page again and update its status part in place
// (the progress bar's value and the status text), so a screen reader hears the new figures without the
// page being reloaded under it. Once the import has finished, the page is loaded once more to show the
// result. Without JavaScript the page offers a "Refresh the page" link instead.

const EVERY_MS = 2000;
const status = document.getElementById("import-status");

function update(next) {
  const bar = status.querySelector("progress");
  const nextBar = next.querySelector("progress");
  const text = status.querySelector('[role="status"]');
  const nextText = next.querySelector('[role="status"]');
  const sameStage = bar && nextBar && status.querySelector("h2")?.textContent === next.querySelector("h2")?.textContent;
  if (sameStage && text && nextText) {
    for (const name of ["value", "max"]) {
      if (nextBar.hasAttribute(name)) bar.setAttribute(name, nextBar.getAttribute(name));
    }
    bar.textContent = nextBar.textContent;
    if (text.textContent !== nextText.textContent) text.textContent = nextText.textContent;
  } else {
    status.replaceChildren(...Array.from(next.childNodes).map((node) => document.importNode(node, true)));
  }
  const link = status.querySelector("[data-import-refresh]");
  if (link) link.hidden = true;
}

function poll() {
  fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`${response.status}`))))
    .then((html) => {
      const next = new DOMParser().parseFromString(html, "text/html").getElementById("import-status");
      if (!next || next.dataset.running !== "true") {
        window.location.reload();
        return;
      }
      update(next);
      window.setTimeout(poll, EVERY_MS);
    })
    .catch(() => window.setTimeout(poll, EVERY_MS * 2));
}

if (status && status.dataset.running === "true") {
  const link = status.querySelector("[data-import-refresh]");
  if (link) link.hidden = true;
  window.setTimeout(poll, EVERY_MS);
}
