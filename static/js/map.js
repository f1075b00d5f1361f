// The map of /map/: Leaflet (static/vendor/leaflet), fed by the page's json_script data.
// The page is a complete list of places without this file; no inline code, so the CSP holds.
(function () {
  "use strict";

  var element = document.getElementById("place-map");
  var data = document.getElementById("map-places");
  if (!element || !data || typeof window.L === "undefined") {
    return;
  }
  var places = JSON.parse(data.textContent);
  if (!places.length) {
    return;
  }
  element.hidden = false;
  element.setAttribute("role", "region");
  element.setAttribute("aria-label", element.getAttribute("data-label") || "Map");

  var L = window.L;
  // Marker images from our own static files, next to leaflet.css.
  L.Icon.Default.imagePath = element.getAttribute("data-images") || "";
  var map = L.map(element, { scrollWheelZoom: false });
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, {
      maxZoom: 18,
      attribution: element.getAttribute("data-attribution") || "",
    }).addTo(map);
  } else {
    element.classList.add("place-map--no-tiles");
  }

  var bounds = [];
  places.forEach(function (place) {
    // Built from text nodes: a name is never read as markup.
    var popup = document.createElement("div");
    var title = document.createElement("a");
    title.href = place.url;
    title.textContent = place.name;
    var strong = document.createElement("strong");
    strong.appendChild(title);
    popup.appendChild(strong);
    var kind = document.createElement("p");
    kind.textContent = place.kind + (place.address ? " · " + place.address : "");
    popup.appendChild(kind);
    var marker = L.marker([place.lat, place.lng], { title: place.name, alt: place.name });
    marker.bindPopup(popup).addTo(map);
    bounds.push([place.lat, place.lng]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 14);
  } else {
    map.fitBounds(bounds, { padding: [40, 40], maxZoom: 14 });
  }
})();
