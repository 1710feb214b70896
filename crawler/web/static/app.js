// jobcrawl dashboard: what htmx leaves to the page when it updates a region in place.
// Forms carry hx-post / hx-target / hx-select (vendor/htmx.min.js posts them in the background and
// puts the same region of the page the server answers with in place of the old one). Without
// scripts every form still works: it posts, and the server redirects back to the page. This file
// keeps screen-reader users and keyboard users told and placed: it announces what changed and
// moves focus to the updated region.
"use strict";

function announce(text) {
  const live = document.getElementById("live");
  if (live) {
    live.textContent = text;
  }
}

document.addEventListener("htmx:beforeRequest", (event) => {
  event.detail.elt.setAttribute("aria-busy", "true");
});

document.addEventListener("htmx:afterRequest", (event) => {
  event.detail.elt.removeAttribute("aria-busy");
  if (!event.detail.successful) {
    announce("The dashboard did not answer; try again.");
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  const selector = event.detail.requestConfig && event.detail.requestConfig.elt.getAttribute("hx-target");
  const fresh = selector ? document.querySelector(selector) : null;
  if (!fresh) {
    return;
  }
  const message = fresh.querySelector("[role=alert], [role=status]");
  announce(message ? message.textContent : "Updated.");
  const focus = fresh.querySelector("[role=alert]") || fresh.querySelector("h2, h1") || fresh;
  if (!focus.hasAttribute("tabindex")) {
    focus.setAttribute("tabindex", "-1");
  }
  focus.focus();
});
