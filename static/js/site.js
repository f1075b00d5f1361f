// Enhancements only: every page, filter and link works without this file.
// Loaded with `defer` from base.html; no inline code, so a strict CSP holds.
(function () {
  "use strict";

  var wide = window.matchMedia("(min-width: 56.25em)");

  // Filters: a <details> disclosure in the HTML. On phones it becomes a drawer
  // over the page (CSS: .filters-disclosure--drawer) that a button, Escape or a
  // tap beside it closes; on wide screens it stays open as a sidebar.
  function enhanceFilters(details) {
    var summary = details.querySelector("summary");
    var panel = details.querySelector(".filters");
    if (!summary || !panel) {
      return;
    }
    details.classList.add("filters-disclosure--drawer");

    var close = document.createElement("button");
    close.type = "button";
    close.className = "drawer__close";
    close.setAttribute("aria-label", details.getAttribute("data-close-label") || "Close");
    close.textContent = "×";
    panel.insertBefore(close, panel.firstChild);

    function shut() {
      details.open = false;
      summary.focus();
    }

    close.addEventListener("click", shut);
    details.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open && !wide.matches) {
        shut();
      }
    });
    // The backdrop is the <details> element's ::before: a click on it targets <details>.
    details.addEventListener("click", function (event) {
      if (event.target === details && !wide.matches) {
        shut();
      }
    });
    details.addEventListener("toggle", function () {
      if (details.open && !wide.matches) {
        var first = panel.querySelector("input:not([type=hidden]), select, a");
        if (first) {
          first.focus();
        }
      }
    });

    function fit() {
      // Active filters open the disclosure server-side; on a phone the chips above
      // already show them, so the drawer starts closed.
      details.open = wide.matches;
    }
    fit();
    wide.addEventListener("change", fit);
  }

  // Product photos: the link to the large rendition opens in a dialog.
  function enhanceGallery(gallery) {
    var label = gallery.getAttribute("data-close-label") || "Close";
    gallery.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || typeof HTMLDialogElement !== "function") {
        return;
      }
      event.preventDefault();
      var dialog = document.createElement("dialog");
      dialog.className = "zoom";
      var bar = document.createElement("form");
      bar.method = "dialog";
      bar.className = "zoom__close";
      var button = document.createElement("button");
      button.textContent = label;
      bar.appendChild(button);
      var image = document.createElement("img");
      image.src = link.href;
      var thumbnail = link.querySelector("img");
      image.alt = thumbnail ? thumbnail.alt : "";
      dialog.appendChild(bar);
      dialog.appendChild(image);
      dialog.addEventListener("click", function (click) {
        if (click.target === dialog || click.target === image) {
          dialog.close();
        }
      });
      dialog.addEventListener("close", function () {
        dialog.remove();
        link.focus();
      });
      document.body.appendChild(dialog);
      dialog.showModal();
    });
  }

  document.querySelectorAll(".filters-disclosure").forEach(enhanceFilters);
  document.querySelectorAll(".gallery[data-close-label]").forEach(enhanceGallery);
})();
