// jobcrawl dashboard: in-place updates for forms marked data-swap="#region".
// Without this script every form still works: it posts, and the server redirects back to the page.
// With it, the form is posted in the background and only the named region is replaced with the
// same region of the page the server answers with, keeping the reader's place and focus.
"use strict";

function announce(text) {
  const live = document.getElementById("live");
  if (live) {
    live.textContent = text;
  }
}

async function swap(form, submitter) {
  const selector = form.dataset.swap;
  const body = new FormData(form, submitter);
  const response = await fetch(form.action, {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector(selector);
  const current = document.querySelector(selector);
  if (!fresh || !current) {
    window.location.assign(response.url);
    return;
  }
  current.replaceWith(fresh);
  const message = fresh.querySelector("[role=alert], [role=status]");
  announce(message ? message.textContent : "Updated.");
  const focus = fresh.querySelector("[role=alert]") || fresh.querySelector("h2, h1") || fresh;
  if (!focus.hasAttribute("tabindex")) {
    focus.setAttribute("tabindex", "-1");
  }
  focus.focus();
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.swap || form.method !== "post") {
    return;
  }
  event.preventDefault();
  form.setAttribute("aria-busy", "true");
  swap(form, event.submitter)
    .catch(() => announce("The dashboard did not answer; try again."))
    .finally(() => form.removeAttribute("aria-busy"));
});
