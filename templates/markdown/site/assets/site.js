/* The docs site of witgen: the theme toggle, the menu on phones and the search.
   Loaded in <head> so that a theme picked earlier applies before the page is drawn. The
   search reads window.witgenSearchIndex ([name, url from the site's root, context] per item),
   set by search-index.js: a script, not a fetch, so the site works from file://. */
(function () {
  "use strict";

  var THEME_KEY = "witgen-docs-theme";
  var MAX_RESULTS = 50;
  var root = document.documentElement;

  function storedTheme() {
    try {
      return window.localStorage.getItem(THEME_KEY);
    } catch (e) {
      return null; // storage may be disabled; the system's preference applies
    }
  }

  function storeTheme(theme) {
    try {
      window.localStorage.setItem(THEME_KEY, theme);
    } catch (e) {
      // the choice then lasts for this page only
    }
  }

  function effectiveTheme() {
    if (root.dataset.theme === "light" || root.dataset.theme === "dark") {
      return root.dataset.theme;
    }
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    return dark ? "dark" : "light";
  }

  var saved = storedTheme();
  if (saved === "light" || saved === "dark") {
    root.dataset.theme = saved;
  }

  function setUpTheme() {
    var button = document.querySelector(".theme-toggle");
    if (!button) {
      return;
    }
    function label() {
      var other = effectiveTheme() === "dark" ? "light" : "dark";
      button.textContent = other === "dark" ? "Dark" : "Light";
      button.setAttribute("aria-label", "Switch to the " + other + " theme");
    }
    button.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      storeTheme(next);
      label();
    });
    label();
  }

  function setUpMenu() {
    var button = document.querySelector(".nav-toggle");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function closeMenu() {
    document.body.classList.remove("nav-open");
    var button = document.querySelector(".nav-toggle");
    if (button) {
      button.setAttribute("aria-expanded", "false");
    }
  }

  // Every item whose name and context hold all the query's words: exact names first, then
  // names starting with the query, then names holding it, then the rest; shorter names
  // first within a rank, then the index's order.
  function search(index, query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      return [];
    }
    var phrase = words.join(" ");
    var found = [];
    for (var i = 0; i < index.length; i++) {
      var name = index[i][0].toLowerCase();
      var haystack = name + " " + index[i][2].toLowerCase();
      var all = words.every(function (word) {
        return haystack.indexOf(word) >= 0;
      });
      if (!all) {
        continue;
      }
      var rank = 3;
      if (name === phrase) {
        rank = 0;
      } else if (name.indexOf(phrase) === 0) {
        rank = 1;
      } else if (name.indexOf(phrase) >= 0) {
        rank = 2;
      }
      found.push([rank, name.length, i]);
    }
    found.sort(function (a, b) {
      return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    });
    return found.slice(0, MAX_RESULTS).map(function (f) {
      return index[f[2]];
    });
  }

  function setUpSearch() {
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    if (!input || !list) {
      return;
    }
    var index = window.witgenSearchIndex || [];
    var prefix = document.body.dataset.root || "";
    var selected = -1;

    function select(position) {
      var items = list.querySelectorAll("li.result");
      if (items.length === 0) {
        selected = -1;
        return;
      }
      selected = (position + items.length) % items.length;
      items.forEach(function (item, i) {
        item.classList.toggle("selected", i === selected);
      });
      items[selected].scrollIntoView({ block: "nearest" });
    }

    function show() {
      var query = input.value.trim();
      list.textContent = "";
      selected = -1;
      if (!query) {
        list.hidden = true;
        return;
      }
      var results = search(index, query);
      results.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "result";
        var link = document.createElement("a");
        link.href = prefix + item[1];
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = item[0];
        link.appendChild(name);
        if (item[2]) {
          var context = document.createElement("span");
          context.className = "context";
          context.textContent = item[2];
          link.appendChild(context);
        }
        link.addEventListener("click", closeMenu);
        li.appendChild(link);
        list.appendChild(li);
      });
      if (results.length === 0) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = "No item matches.";
        list.appendChild(none);
      }
      list.hidden = false;
    }

    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        select(selected + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        var links = list.querySelectorAll("li.result a");
        if (links.length > 0) {
          event.preventDefault();
          closeMenu();
          window.location.href = links[Math.max(selected, 0)].href;
        }
      } else if (event.key === "Escape") {
        input.value = "";
        show();
      }
    });
    document.addEventListener("keydown", function (event) {
      var typing = event.target instanceof HTMLInputElement;
      if (event.key === "/" && !typing) {
        event.preventDefault();
        document.body.classList.add("nav-open");
        input.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpTheme();
    setUpMenu();
    setUpSearch();
  });
})();
