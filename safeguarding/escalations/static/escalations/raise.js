// Raise an escalation: progressive enhancement of a page that works without JavaScript.
//
// - The child: GOV.UK's accessible autocomplete (window.accessibleAutocomplete, loaded before this
//   module) replaces the "Find the child" search and the select of its matches. It asks the server
//   (data-search-url) for the children this person may see; choosing one puts it in the select that
//   the form sends, and fetches the child's brothers and sisters and chronology entries
//   (data-details-url) into the form.
// - The person in the agency: the list follows the agency chosen (data-people-url).
// Nothing here writes inline scripts or style attributes (the site's CSP forbids them).

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function label(option) {
  if (!option) return "";
  return typeof option === "string" ? option : option.label;
}

function getJson(url) {
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((response) => {
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  });
}

function statusRegion(after) {
  const region = document.createElement("div");
  region.className = "govuk-visually-hidden";
  region.setAttribute("role", "status");
  after.insertAdjacentElement("afterend", region);
  return region;
}

function loadChildDetails(select, childId) {
  const details = document.getElementById("raise-child-details");
  if (!details) return;
  if (!childId) {
    details.replaceChildren();
    return;
  }
  const url = `${select.dataset.detailsUrl}?child=${encodeURIComponent(childId)}`;
  fetch(url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : ""))
    .then((html) => {
      details.innerHTML = html;
    });
}

function chooseChild(select, option) {
  // Confirmed again (on blur, say): keep the details already loaded and any evidence ticked.
  if (select.value === String(option.id)) return;
  let chosen = Array.from(select.options).find((o) => o.value === String(option.id));
  if (!chosen) {
    chosen = new Option(option.label, option.id);
    select.add(chosen);
  }
  select.value = String(option.id);
  loadChildDetails(select, select.value);
}

function enhanceChild() {
  const select = document.querySelector('[data-raise="child"] select');
  if (!select || typeof window.accessibleAutocomplete !== "function") return;
  const id = select.id;
  const current = select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
  const wrapper = document.createElement("div");
  select.insertAdjacentElement("beforebegin", wrapper);
  select.id = `${id}-select`;
  select.hidden = true;
  let timer = null;
  // Every child offered so far, by label (the select's own options, then each search's results).
  const known = new Map(Array.from(select.options).filter((o) => o.value).map((o) => [o.text, { id: o.value, label: o.text }]));
  window.accessibleAutocomplete({
    element: wrapper,
    id,
    name: "child_autocomplete",
    defaultValue: current,
    minLength: 2,
    // Over the page, not in it: an inline menu closing on blur would move the fields below it.
    displayMenu: "overlay",
    showNoOptionsFound: true,
    source(query, populate) {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        getJson(`${select.dataset.searchUrl}?q=${encodeURIComponent(query)}`)
          .then((data) => {
            for (const result of data.results) known.set(result.label, result);
            populate(data.results);
          })
          .catch(() => populate([]));
      }, 200);
    },
    templates: { inputValue: label, suggestion: (option) => escapeHtml(label(option)) },
    onConfirm(option) {
      // The autocomplete may confirm the text of an option (its default value, or on blur): find it.
      const found = typeof option === "string" ? known.get(option) : option;
      if (found) chooseChild(select, found);
    },
    tNoResults: () => "No child you can see matches",
    tStatusQueryTooShort: (n) => `Type ${n} or more letters of the child's name`,
  });
  const input = document.getElementById(id);
  if (input) {
    // Typing a different name forgets the child chosen before, so the form never sends a stale one.
    input.addEventListener("input", () => {
      if (select.value && input.value !== select.options[select.selectedIndex].text) {
        select.value = "";
        loadChildDetails(select, "");
      }
    });
    const hint = document.getElementById(`${id}_helptext`);
    const error = document.getElementById(`${id}_error`);
    const described = [input.getAttribute("aria-describedby"), hint?.id, error?.id].filter(Boolean).join(" ");
    if (described) input.setAttribute("aria-describedby", described);
  }
  const search = document.querySelector('[data-raise="find-child"]');
  if (search) search.hidden = true;
}

function enhancePeople() {
  const agency = document.getElementById("id_receiving_agency");
  const person = document.getElementById("id_receiving_person");
  if (!agency || !person || !person.dataset.peopleUrl) return;
  const status = statusRegion(person);
  agency.addEventListener("change", () => {
    const chosen = person.value;
    if (!agency.value) return;
    getJson(`${person.dataset.peopleUrl}?agency=${encodeURIComponent(agency.value)}`)
      .then((data) => {
        const options = [new Option("Not known", ""), ...data.results.map((p) => new Option(p.label, p.id))];
        person.replaceChildren(...options);
        person.value = options.some((o) => o.value === chosen) ? chosen : "";
        const name = agency.options[agency.selectedIndex].text;
        status.textContent = `${data.results.length} ${data.results.length === 1 ? "person" : "people"} in ${name} to choose from`;
      })
      .catch(() => {
        status.textContent = "";
      });
  });
}

enhanceChild();
enhancePeople();
