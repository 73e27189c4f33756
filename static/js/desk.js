// The review desk (templates/admin/trivia/desk/), made quicker: every form of the panel is
// posted with fetch and the desk answers with the next item's panel (the header
// X-Desk-Fragment asks for it), which replaces the current one with no page load. Without
// this file the same forms are posted plainly and the desk redirects: nothing depends on it.
//
// Keys (listed on the page): each panel's buttons and links carry data-shortcut="a" and its
// fields data-shortcut-focus="r"; digits pick a rejection reason; Enter in the reject form
// rejects; Escape leaves a field; "?" shows the list. Keys typed into a field are the field's.
(function () {
  "use strict";

  const FRAGMENT_HEADER = "X-Desk-Fragment";
  let busy = false;

  function panel() {
    return document.getElementById("desk-panel");
  }

  function isField(element) {
    return (
      element instanceof HTMLElement &&
      (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName))
    );
  }

  // A plain submission, as without this file: the button pressed goes with it.
  function submitPlainly(form, submitter) {
    if (submitter && submitter.name) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = submitter.name;
      input.value = submitter.value;
      form.appendChild(input);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function show(html, url) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.getElementById("desk-panel");
    if (!fresh) {
      return false;
    }
    panel().replaceWith(fresh);
    history.replaceState(null, "", url);
    // A refused form: straight to the field to fix; else the new item.
    let field = fresh.querySelector(".errorlist");
    while (field && !field.matches("select, textarea, input:not([type=hidden])")) {
      field = field.nextElementSibling;
    }
    (field || fresh).focus();
    if (fresh.getBoundingClientRect().top < 0) {
      fresh.scrollIntoView({ block: "start" });
    }
    return true;
  }

  async function send(form, submitter) {
    if (busy) {
      return;
    }
    busy = true;
    const current = panel();
    current.setAttribute("aria-busy", "true");
    try {
      // getAttribute: the forms hold a field named "action", which ``form.action`` would be.
      const response = await fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: new FormData(form, submitter || null),
        headers: { [FRAGMENT_HEADER]: "1" },
        credentials: "same-origin",
      });
      const url = response.headers.get("X-Desk-Url");
      if (!response.ok || !url || !show(await response.text(), url)) {
        submitPlainly(form, submitter); // signed out meanwhile, or an error page: as without JS
      }
    } catch (error) {
      submitPlainly(form, submitter);
    } finally {
      busy = false;
      const now = panel();
      if (now) {
        now.removeAttribute("aria-busy");
      }
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.closest("#desk-panel")) {
      return;
    }
    event.preventDefault();
    send(form, event.submitter);
  });

  // Digit n chooses the n-th rejection reason, then the message is typed.
  function pickReason(select, number) {
    if (number >= select.options.length) {
      return;
    }
    select.selectedIndex = number;
    const message = select.form.querySelector("textarea");
    (message || select).focus();
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const current = panel();
    if (!current || event.defaultPrevented || event.isComposing) {
      return;
    }
    if (event.key === "Escape") {
      if (isField(target)) {
        target.blur();
        current.focus();
      }
      const list = document.getElementById("desk-shortcuts");
      if (list) {
        list.open = false;
      }
      return;
    }
    if (isField(target)) {
      const form = target.closest("form[data-enter-submits]");
      if (event.key === "Enter" && !event.shiftKey && form && target.tagName !== "INPUT") {
        event.preventDefault();
        form.requestSubmit();
      } else if (target.matches("select[data-reasons]") && /^[1-9]$/.test(event.key)) {
        event.preventDefault();
        pickReason(target, Number(event.key));
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || busy) {
      return;
    }
    if (event.key === "?") {
      const list = document.getElementById("desk-shortcuts");
      if (list) {
        list.open = !list.open;
      }
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      const select = current.querySelector("select[data-reasons]");
      if (select) {
        event.preventDefault();
        pickReason(select, Number(event.key));
      }
      return;
    }
    if (!/^[a-z]$/.test(event.key)) {
      return;
    }
    const field = current.querySelector(`[data-shortcut-focus="${event.key}"]`);
    if (field) {
      event.preventDefault();
      field.focus();
      return;
    }
    const action = current.querySelector(`[data-shortcut="${event.key}"]`);
    if (action) {
      event.preventDefault();
      action.click();
    }
  });
})();
