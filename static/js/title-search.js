/* Search-as-you-type for the title of /submit/.
   Without this script the form's Search button lists the same titles (the page is sent and
   comes back with them); with it, the list of radio buttons is refilled from
   /submit/titles/?q= while the contributor types. The title already chosen stays listed. */
(function () {
  "use strict";

  const box = document.querySelector("[data-title-search]");
  const list = document.querySelector("[data-title-results]");
  if (!box || !list || !window.fetch) {
    return;
  }
  const input = box.querySelector("input[type=search]");
  const status = box.querySelector("[data-title-status]");
  const endpoint = box.getAttribute("data-endpoint");
  let timer = null;
  let controller = null;

  function choice(result) {
    const item = document.createElement("li");
    const label = document.createElement("label");
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "title";
    radio.value = String(result.id);
    const name = document.createElement("span");
    name.className = "title-choices__name";
    name.textContent = result.label;
    const meta = document.createElement("span");
    meta.className = "title-choices__meta";
    meta.textContent = result.kind +
      (result.also_known_as ? " · also known as “" + result.also_known_as + "”" : "");
    label.className = "choice";
    const text = document.createElement("span");
    text.append(name, " ", meta);
    label.append(radio, " ", text);
    item.append(label);
    return item;
  }

  function show(results, query) {
    const checked = list.querySelector("input[type=radio]:checked");
    for (const item of Array.from(list.children)) {
      if (!checked || !item.contains(checked)) {
        item.remove();
      }
    }
    for (const result of results) {
      if (!checked || checked.value !== String(result.id)) {
        list.append(choice(result));
      }
    }
    if (!query) {
      status.textContent = "";
    } else if (results.length) {
      status.textContent = results.length + (results.length === 1 ? " title matches" : " titles match") +
        " “" + query + "”: choose one.";
    } else {
      status.textContent = "No title matches “" + query + "”. Check the spelling, try another " +
        "of its names, or propose it below.";
    }
  }

  function search() {
    const query = input.value.trim();
    if (controller) {
      controller.abort();
    }
    if (!query) {
      show([], "");
      return;
    }
    controller = new AbortController();
    fetch(endpoint + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller.signal,
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => show(data.results, query))
      .catch((error) => {
        if (error && error.name === "AbortError") {
          return;
        }
        status.textContent = "The list could not be updated: press Search instead.";
      });
  }

  // Typed before this deferred script ran (a fast typist on a slow connection): search now.
  if (input.value !== input.defaultValue) {
    search();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  // Enter in the search box searches here instead of sending the whole page.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      search();
    }
  });
})();
