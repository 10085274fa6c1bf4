// formwerk: progressive enhancement only. Every form works without this file; the server
// decides what is shown, validated and stored.
(function () {
  "use strict";

  // --- conditional fields: the same rules the server evaluates (README, "Conditions")
  function currentValues(form, name) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    var values = [];
    var present = false;
    inputs.forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) { values.push(input.value); present = true; }
        // a single yes/no checkbox: unticked means false
        if (input.type === "checkbox" && inputs.length === 1 && !input.checked) {
          values.push("false"); present = true;
        }
      } else if (input.value !== "") {
        values.push(input.value); present = true;
      }
    });
    return { present: present, values: values, found: inputs.length > 0 };
  }

  function ruleHolds(form, rule) {
    var current = currentValues(form, rule.name);
    if (!current.found) { return null; }  // trigger not on this page: server decides
    var matches = current.present && current.values.indexOf(rule.value) !== -1;
    if (rule.op === "const" && current.values.length > 1) { matches = false; }
    return rule.negate ? !matches : matches;
  }

  function updateConditions(form) {
    form.querySelectorAll("[data-fw-when]").forEach(function (box) {
      var rules = JSON.parse(box.getAttribute("data-fw-when"));
      var verdicts = rules.map(function (rule) { return ruleHolds(form, rule); });
      if (verdicts.every(function (v) { return v === null; })) { return; }
      var shown = verdicts.some(function (v) { return v === true; });
      box.classList.toggle("fw-cond--off", !shown);
    });
  }

  // --- repeatable groups: add and remove entries without a round trip
  function renumber(item, from, to, group) {
    var namePrefix = group + "." + from + ".";
    var newName = group + "." + to + ".";
    var idPrefix = "f-" + group.replace(/\./g, "-") + "-" + from;
    var newId = "f-" + group.replace(/\./g, "-") + "-" + to;
    function mapToken(token) {
      var verb = "";
      var match = /^(add:|remove:|remove-file:|upload:)/.exec(token);
      if (match) { verb = match[1]; token = token.slice(verb.length); }
      if (token === idPrefix) { token = newId; }
      else if (token.indexOf(idPrefix + "-") === 0) { token = newId + token.slice(idPrefix.length); }
      else if (token === group + "." + from) { token = group + "." + to; }
      else if (token.indexOf(namePrefix) === 0) { token = newName + token.slice(namePrefix.length); }
      return verb + token;
    }
    var nodes = [item].concat(Array.prototype.slice.call(item.querySelectorAll("*")));
    nodes.forEach(function (node) {
      ["name", "id", "for", "aria-describedby", "value"].forEach(function (attr) {
        var value = node.getAttribute(attr);
        if (!value || (attr === "value" && node.tagName !== "BUTTON")) { return; }
        var next = value.split(" ").map(mapToken).join(" ");
        if (next !== value) { node.setAttribute(attr, next); }
      });
      var when = node.getAttribute("data-fw-when");
      if (when) {
        node.setAttribute("data-fw-when", when.split('"' + namePrefix).join('"' + newName));
      }
    });
    var legend = item.querySelector(":scope > legend");
    if (legend) { legend.textContent = legend.textContent.replace(/\d+(?!.*\d)/, String(to + 1)); }
    item.querySelectorAll(".fw-repeat__remove .kern-label").forEach(function (label) {
      label.textContent = label.textContent.replace(/\d+(?!.*\d)/, String(to + 1));
    });
  }

  function announce(text) {
    var status = document.getElementById("fw-status");
    if (status) { status.textContent = text; }
  }

  function items(repeat) {
    return Array.prototype.slice.call(repeat.querySelectorAll(":scope > .kern-fieldset__body > .fw-repeat__item"));
  }

  function addEntry(repeat, button) {
    var list = items(repeat);
    if (!list.length) { return false; }  // nothing to copy: let the server add one
    var group = repeat.getAttribute("data-fw-repeat");
    var min = parseInt(repeat.getAttribute("data-fw-min") || "0", 10);
    var last = list[list.length - 1];
    var copy = last.cloneNode(true);
    renumber(copy, list.length - 1, list.length, group);
    copy.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") { input.checked = false; }
      else if (input.tagName === "SELECT") { input.selectedIndex = 0; }
      else if (input.type !== "hidden" && input.type !== "submit") { input.value = ""; }
      input.removeAttribute("aria-invalid");
      input.classList.remove("kern-form-input__input--error");
    });
    copy.querySelectorAll(".kern-error, .fw-files").forEach(function (node) { node.remove(); });
    copy.querySelectorAll(".kern-form-input--error").forEach(function (node) {
      node.classList.remove("kern-form-input--error");
    });
    button.parentNode.insertBefore(copy, button);
    var count = repeat.querySelector(':scope > .kern-fieldset__body > input[name="' + group + '._n"]');
    count.value = String(list.length + 1);
    var max = parseInt(repeat.getAttribute("data-fw-max") || "0", 10);
    if (max && list.length + 1 >= max) { button.hidden = true; }
    items(repeat).forEach(function (entry) {
      entry.querySelector(".fw-repeat__remove").hidden = items(repeat).length <= min;
    });
    var first = copy.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
    announce(copy.querySelector("legend").textContent + " hinzugefügt.");
    updateConditions(repeat.closest("form"));
    return true;
  }

  function removeEntry(repeat, item) {
    var list = items(repeat);
    var min = parseInt(repeat.getAttribute("data-fw-min") || "0", 10);
    if (list.length <= Math.max(min, 1)) { return false; }  // the server shows the empty state
    var group = repeat.getAttribute("data-fw-repeat");
    var index = list.indexOf(item);
    var legend = item.querySelector("legend").textContent;
    item.remove();
    list.slice(index + 1).forEach(function (later, offset) {
      renumber(later, index + 1 + offset, index + offset, group);
    });
    var count = repeat.querySelector(':scope > .kern-fieldset__body > input[name="' + group + '._n"]');
    count.value = String(list.length - 1);
    var add = repeat.querySelector(":scope > .kern-fieldset__body > .fw-repeat__add");
    if (add) { add.hidden = false; }
    items(repeat).forEach(function (rest) {
      var remove = rest.querySelector(".fw-repeat__remove");
      if (remove) { remove.hidden = items(repeat).length <= min; }
    });
    announce(legend + " entfernt.");
    var focusTarget = items(repeat)[Math.max(0, index - 1)];
    (focusTarget ? focusTarget.querySelector("input:not([type=hidden]), select, textarea")
      : add)?.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=_action]");
    if (!button) { return; }
    var repeat = button.closest("[data-fw-repeat]");
    if (!repeat) { return; }
    var value = button.value;
    if (value.indexOf("add:") === 0 && button.parentNode.parentNode === repeat) {
      if (addEntry(repeat, button)) { event.preventDefault(); }
    } else if (value.indexOf("remove:") === 0) {
      var item = button.closest(".fw-repeat__item");
      if (item && item.parentNode.parentNode === repeat && removeEntry(repeat, item)) {
        event.preventDefault();
      }
    }
  });

  // --- error summary: focus it, and let its links focus the field (GOV.UK pattern)
  function setUpErrorSummary() {
    var summary = document.getElementById("fehlerzusammenfassung");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var fieldset = target.closest("fieldset");
      (fieldset ? fieldset.querySelector("legend") : target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }

  // --- a second click on "Absenden" while the first is on its way does nothing
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-fw-once")) {
      if (button.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
      button.setAttribute("aria-disabled", "true");
    }
  });

  document.querySelectorAll("form.fw-form").forEach(function (form) {
    form.addEventListener("change", function () { updateConditions(form); });
    updateConditions(form);
  });
  setUpErrorSummary();
})();
