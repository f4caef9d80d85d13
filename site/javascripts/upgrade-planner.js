/* The upgrade planner page: asks the API that `refarch serve` runs beside the site for the plan (the same
 * planner as `refarch upgrade-plan`), and shows the equivalent command, which is all a static copy can offer.
 * Plain JavaScript, no build step; it does nothing on pages without the planner form. */
(function () {
  "use strict";

  // The page helpers calculator.js defines; mkdocs.yml loads it first, on every page.
  var element = window.refarchDom.element;
  var table = window.refarchDom.table;

  function choices(form) {
    var out = {};
    ["from", "to", "method", "postgres", "strategy"].forEach(function (name) {
      var value = String(form.elements[name].value || "").trim();
      if (value) out[name] = value;
    });
    return out;
  }

  /** The command that gives the same plan: what a static copy of the site can offer. */
  function command(chosen) {
    var parts = ["refarch upgrade-plan", "--from " + chosen.from, "--to " + chosen.to, "--method " + chosen.method];
    if (chosen.postgres) parts.push("--postgres " + chosen.postgres);
    if (chosen.strategy && chosen.strategy !== "fewest-steps") parts.push("--strategy " + chosen.strategy);
    return parts.join(" ");
  }

  function downtime(doc, data, id, label) {
    var kind = data.downtime[id];
    var link = element(doc, "a", { href: "#downtime-" + id, title: kind ? kind.summary : "" }, [label]);
    return kind ? element(doc, "span", {}, [link, " — " + kind.summary]) : link;
  }

  function renderPlan(doc, data, plan) {
    var parts = [];
    parts.push(element(doc, "p", { "class": "ra-tier-line", id: "ra-plan-headline" }, [
      "Upgrade from " + plan.from + " to ", element(doc, "strong", {}, [plan.to]), " on " + plan.method.name + " (" + plan.postgres.label + ")."
    ]));
    parts.push(element(doc, "p", {}, [plan.totals.steps + " step" + (plan.totals.steps === 1 ? "" : "s") + "; total downtime: " + plan.total_downtime.summary + "."]));
    parts.push(table(doc, ["Step", "From", "To", "Type", "Downtime", "Manual steps"], plan.steps.map(function (s) {
      return [String(s.step), s.from, s.to, s.type === "mvu" ? "multi-version upgrade" : "standard upgrade", s.downtime_label, String(s.manual_steps.length)];
    })));
    var used = {};
    plan.steps.forEach(function (s) { used[s.downtime] = s.downtime_label; });
    parts.push(element(doc, "p", {}, ["What the downtime means:"]));
    parts.push(element(doc, "ul", { id: "ra-plan-downtime" }, Object.keys(used).map(function (id) {
      return element(doc, "li", {}, [downtime(doc, data, id, used[id])]);
    })));
    plan.steps.forEach(function (s) {
      parts.push(element(doc, "h3", {}, [s.step + ". " + s.from + " → " + s.to]));
      parts.push(element(doc, "p", {}, ["Why here: " + s.reason]));
      if (s.manual_steps.length) {
        parts.push(element(doc, "ul", {}, s.manual_steps.map(function (item) {
          var inner = element(doc, "ol", {}, item.steps.map(function (line) { return element(doc, "li", {}, [line]); }));
          return element(doc, "li", {}, [element(doc, "strong", {}, [item.title]), " (", element(doc, "a", { href: item.docs }, ["docs"]), ")", inner]);
        })));
      }
    });
    if (plan.notes.length) {
      parts.push(element(doc, "h3", {}, ["Notes"]));
      parts.push(element(doc, "ul", {}, plan.notes.map(function (note) { return element(doc, "li", {}, [note]); })));
    }
    return parts;
  }

  function show(box, nodes) {
    while (box.firstChild) box.removeChild(box.firstChild);
    nodes.forEach(function (node) { box.appendChild(node); });
  }

  function plan(doc, data, form, box) {
    var chosen = choices(form);
    var cli = element(doc, "p", {}, ["The same plan on the command line: ", element(doc, "code", { id: "ra-plan-command" }, [command(chosen)])]);
    var query = Object.keys(chosen).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(chosen[k]); }).join("&");
    if (doc.defaultView.history && doc.defaultView.history.replaceState) {
      doc.defaultView.history.replaceState(null, "", "?" + query);
    }
    show(box, [element(doc, "p", {}, ["Planning …"]), cli]);
    var api = new URL(data.api + "?" + query, doc.baseURI);
    fetch(api.href, { headers: { accept: "application/json" } }).then(function (response) {
      var json = (response.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("no API here");
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 200) {
        show(box, renderPlan(doc, data, answer.body).concat([cli]));
      } else {
        var errors = (answer.body.errors || []).map(function (e) { return element(doc, "li", {}, [e.message]); });
        show(box, [element(doc, "p", { id: "ra-plan-problem" }, ["No plan for this choice:"]), element(doc, "ul", {}, errors), cli]);
      }
    }).catch(function () {
      show(box, [element(doc, "p", { id: "ra-plan-static" }, [
        "This copy of the site is plain files, without the API that plans upgrades. Run the command below, or open the site through refarch serve."
      ]), cli]);
    });
  }

  function start(doc) {
    var form = doc.getElementById("ra-planner");
    var box = doc.getElementById("ra-plan");
    var source = doc.getElementById("ra-planner-data");
    if (!form || !box || !source) return;
    var data = JSON.parse(source.textContent);
    var params = new URLSearchParams(doc.defaultView.location.search);
    var given = false;
    ["from", "to", "method", "postgres", "strategy"].forEach(function (name) {
      var value = params.get(name);
      var field = form.elements[name];
      if (value === null || !field) return;
      if (![].some.call(field.options, function (o) { return o.value === value; })) field.appendChild(element(doc, "option", { value: value }, [value]));
      field.value = value;
      given = true;
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); plan(doc, data, form, box); });
    if (given) plan(doc, data, form, box);
    else show(box, [element(doc, "p", {}, ["Choose the versions and the method, then plan."])]);
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { start(document); });
    else start(document);
  }
})();
