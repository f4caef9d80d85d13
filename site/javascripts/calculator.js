/*
 * The sizing calculator, in the browser: the same rules as refarch's sizing engine (generators/refarch/sizing.py),
 * operation for operation, over the same model exported from the catalog. Plain JavaScript, no build step, no
 * framework: it works from any static host. tests/test_calculator_parity.py runs this file with node on hundreds
 * of inputs and requires the same answers as the Python engine.
 *
 * In a browser it fills the form from the page address (?users=8000&repositories=30000), answers as you type and
 * keeps the address in step. Under node it only exports evaluate(), fmt() and the page helpers.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  }
  // The page helpers, for the site's other scripts (upgrade-planner.js), which load after this one.
  root.refarchDom = { element: api.element, table: api.table };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { api.start(document, root); });
    } else {
      api.start(document, root);
    }
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  var FIELDS = ["replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb"];
  var TOTAL_FIELDS = FIELDS.slice(1);

  // --- numbers, as Python prints them ------------------------------------------------------

  function isWhole(value) {
    return Number.isFinite(value) && Math.floor(value) === value;
  }

  function withCommas(digits) {
    var negative = digits.charAt(0) === "-";
    var body = negative ? digits.slice(1) : digits;
    var out = "";
    while (body.length > 3) {
      out = "," + body.slice(-3) + out;
      body = body.slice(0, -3);
    }
    return (negative ? "-" : "") + body + out;
  }

  // Python's f"{value:,.3f}": round half to even on the exact binary value (toFixed rounds ties away from zero).
  function fixed3(value) {
    var text = value.toFixed(3);
    var scaled = value * 1000;
    var floor = Math.floor(scaled);
    if (scaled - floor === 0.5 && floor % 2 === 0) {
      text = (floor / 1000).toFixed(3);
    }
    var parts = text.split(".");
    return withCommas(parts[0]) + "." + parts[1];
  }

  /** sizing._fmt: thousands separators, at most three decimals, no trailing zeros. */
  function fmt(value) {
    if (isWhole(value)) {
      return withCommas(String(value));
    }
    return fixed3(value).replace(/0+$/, "").replace(/\.$/, "");
  }

  function show(value) {
    if (typeof value === "boolean") {
      return value ? "on" : "off";
    }
    return typeof value === "number" ? fmt(value) : String(value);
  }

  function format(template, values) {
    return template.replace(/\{\{|\}\}|\{(\w+)\}/g, function (match, name) {
      if (match === "{{") return "{";
      if (match === "}}") return "}";
      return String(values[name]);
    });
  }

  function round(value, wholeAbove, step) {
    if (value > wholeAbove) {
      return Math.floor(value + 0.5);
    }
    return Math.floor(value / step + 0.5) * step;
  }

  function round3(value) {
    return Math.floor(value * 1000 + 0.5) / 1000;
  }

  function milli(value) {
    return value ? Math.floor(value * 1000 + 0.5) : 0;
  }

  function copy(row) {
    var out = {};
    for (var key in row) {
      if (Object.prototype.hasOwnProperty.call(row, key)) out[key] = row[key];
    }
    return out;
  }

  function compareTuples(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  // --- the model, prepared once ----------------------------------------------------------

  function prepareService(entry) {
    var service = {
      id: entry.id,
      perNode: entry.per_node,
      pod: entry.pod,
      featureInput: entry.feature_input,
      defaultOn: entry.default_on,
      factor: entry.factor,
      factorMax: entry.factor_max,
      template: { name: entry.id, enabled: true, per_node: entry.per_node, pod: entry.pod },
      offRow: { name: entry.id, enabled: false, per_node: entry.per_node, pod: entry.pod },
      groups: [],
      formulas: [],
      zeroWhile: entry.zero_while
    };
    FIELDS.forEach(function (name) {
      service.template[name] = entry.base[name];
      service.offRow[name] = 0;
    });
    // Fields whose points sit at the same positions share one segment search, as in the engine.
    var byPositions = {};
    FIELDS.forEach(function (name) {
      var points = entry.points[name];
      if (!points || !points.length) return;
      var ats = points.map(function (p) { return p[0]; });
      var values = points.map(function (p) { return p[1]; });
      var steps = [0];
      for (var i = 1; i < values.length; i++) steps.push(values[i] - values[i - 1]);
      var key = JSON.stringify(ats);
      if (!byPositions[key]) {
        byPositions[key] = { ats: ats, fields: [] };
        service.groups.push(byPositions[key]);
      }
      byPositions[key].fields.push({ name: name, values: values, steps: steps });
    });
    Object.keys(entry.formulas).forEach(function (name) {
      var f = entry.formulas[name];
      service.formulas.push({ name: name, sums: f.sums, wholeUnits: f.whole_units, unitSize: f.unit_size, atLeast: f.at_least });
    });
    service.fixed = !(service.groups.length || service.formulas.length || service.zeroWhile.length);
    service.isStatic = service.fixed && service.featureInput === null && service.pod === null;
    return service;
  }

  function prepareStatic(services) {
    var out = { totals: [0, 0, 0, 0, 0], perNodeTotals: [0, 0, 0, 0, 0], daemonCpu: 0, daemonMemory: 0, pods: [] };
    services.forEach(function (service) {
      if (!service.isStatic) return;
      var row = service.template;
      TOTAL_FIELDS.forEach(function (name, index) {
        if (service.perNode) {
          out.perNodeTotals[index] += row[name] || 0;
        } else {
          out.totals[index] += (row[name] || 0) * row.replicas;
        }
      });
      if (service.perNode) {
        out.daemonCpu += milli(row.cpu_request);
        out.daemonMemory += milli(row.memory_request_gb);
      } else if (row.replicas) {
        out.pods.push([-milli(row.cpu_request), -milli(row.memory_request_gb), service.id, row.replicas]);
      }
    });
    return out;
  }

  var preparedCache = typeof WeakMap === "function" ? new WeakMap() : null;

  function prepare(model) {
    if (preparedCache && preparedCache.has(model)) return preparedCache.get(model);
    var prepared = {
      wholeAbove: model.rounding.whole_above,
      step: model.rounding.step_below,
      defaults: [],
      covered: [],
      limits: [],
      services: {},
      statics: {},
      sources: {},
      sizeFiles: {},
      serving: {},
      largestRepoLimit: null
    };
    Object.keys(model.inputs).forEach(function (name) {
      var spec = model.inputs[name];
      if (spec["default"] !== null && spec["default"] !== undefined) prepared.defaults.push([name, spec["default"]]);
      if (spec.covered_max !== null && spec.covered_max !== undefined) prepared.covered.push([name, spec.covered_max]);
    });
    model.tier_inputs.forEach(function (name) {
      prepared.limits.push([name, model.sizes.map(function (size) { return size.limits[name]; })]);
    });
    Object.keys(model.services).forEach(function (source) {
      var services = model.services[source].map(prepareService);
      prepared.services[source] = services;
      prepared.statics[source] = prepareStatic(services);
      prepared.sources[source] = {};
      model.services[source].forEach(function (entry) { prepared.sources[source][entry.id] = entry.sources; });
    });
    var largest = null;
    model.sizes.forEach(function (size) {
      prepared.sizeFiles[size.id] = size.file;
      prepared.serving[size.id] = Object.keys(model.methods).filter(function (id) { return model.methods[id].serves.indexOf(size.id) >= 0; });
      var limit = size.limits.largest_repo_gb;
      if (limit !== null && limit !== undefined && (largest === null || limit > largest[0] || (limit === largest[0] && size.rank > largest[1]))) {
        largest = [limit, size.rank, size];
      }
    });
    prepared.largestRepoLimit = largest;
    if (preparedCache) preparedCache.set(model, prepared);
    return prepared;
  }

  // --- evaluating one set of inputs ------------------------------------------------------

  function scaleService(service, factors, wholeAbove, step) {
    var row = copy(service.template);
    if (service.factor !== null) {
      var x = factors[service.factor];
      service.groups.forEach(function (group) {
        var ats = group.ats;
        var last = ats.length - 1;
        var index;
        var t;
        if (x <= ats[0]) {
          index = 0;
          t = 0;
        } else if (x >= ats[last]) {
          index = last;
          t = 0;
        } else {
          index = 1;
          while (x > ats[index]) index += 1;
          t = (x - ats[index - 1]) / (ats[index] - ats[index - 1]);
          index -= 1;
        }
        group.fields.forEach(function (field) {
          var value = t ? field.values[index] + field.steps[index + 1] * t : field.values[index];
          row[field.name] = round(value, wholeAbove, step);
        });
      });
    }
    service.formulas.forEach(function (formula) {
      var value = -Infinity;
      formula.sums.forEach(function (terms) {
        var total = 0;
        terms.forEach(function (term) { total += factors[term[0]] * term[1]; });
        if (total > value) value = total;
      });
      if (formula.wholeUnits) value = Math.ceil(value) * formula.unitSize;
      if (formula.atLeast !== null && value < formula.atLeast) value = formula.atLeast;
      row[formula.name] = round(value, wholeAbove, step);
    });
    service.zeroWhile.forEach(function (rule) {
      if (factors[rule[0]] === 0) rule[1].forEach(function (name) { row[name] = 0; });
    });
    return row;
  }

  function effectiveInputs(prepared, given) {
    var values = copy(given);
    var defaulted = [];
    prepared.defaults.forEach(function (pair) {
      if (values[pair[0]] === null || values[pair[0]] === undefined) {
        values[pair[0]] = pair[1];
        defaulted.push(pair[0]);
      }
    });
    var has = function (name) { return values[name] !== null && values[name] !== undefined; };
    // A default must not contradict a given value: the largest repository is part of the total.
    if (defaulted.indexOf("largest_repo_gb") >= 0 && has("total_repo_size_gb")) {
      values.largest_repo_gb = Math.min(values.largest_repo_gb, values.total_repo_size_gb);
    }
    if (defaulted.indexOf("total_repo_size_gb") >= 0 && has("largest_repo_gb")) {
      values.total_repo_size_gb = Math.max(values.total_repo_size_gb, values.largest_repo_gb);
    }
    return [values, defaulted];
  }

  function tierIndex(limits, value) {
    for (var i = 0; i < limits.length; i++) {
      if (limits[i] === null || limits[i] === undefined || value <= limits[i]) return i;
    }
    return -1;
  }

  function nodePlan(node, statics, changing, clouds, notes) {
    var usable = 1 - node.headroom;
    var daemonCpu = statics.daemonCpu;
    var daemonMemory = statics.daemonMemory;
    var pods = {};
    var podOrder = [];
    changing.forEach(function (row) {
      var cpu = row.cpu_request;
      var memory = row.memory_request_gb;
      if (row.per_node) {
        daemonCpu += cpu ? Math.floor(cpu * 1000 + 0.5) : 0;
        daemonMemory += memory ? Math.floor(memory * 1000 + 0.5) : 0;
        return;
      }
      if (row.replicas === 0) return;
      var name = row.pod || row.name;
      if (!pods[name]) {
        pods[name] = [0, 0, row.replicas];
        podOrder.push(name);
      }
      pods[name][0] += cpu ? Math.floor(cpu * 1000 + 0.5) : 0;
      pods[name][1] += memory ? Math.floor(memory * 1000 + 0.5) : 0;
    });
    var freeCpu = milli(node.vcpu * usable) - daemonCpu;
    var freeMemory = milli(node.memory_gb * usable) - daemonMemory;
    var order = statics.pods.slice();
    podOrder.forEach(function (name) { order.push([-pods[name][0], -pods[name][1], name, pods[name][2]]); });
    order.sort(compareTuples);
    var usedCpu = [];
    var usedMemory = [];
    var oversized = [];
    var placed = 0;
    order.forEach(function (item) {
      var cpu = -item[0];
      var memory = -item[1];
      var count = item[3];
      placed += count;
      if (cpu > freeCpu || memory > freeMemory) {
        for (var k = 0; k < count; k++) {
          usedCpu.push(cpu);
          usedMemory.push(memory);
        }
        oversized.push(item[2]);
        return;
      }
      var start = 0;
      for (var n = 0; n < count; n++) {
        var put = false;
        for (var index = start; index < usedCpu.length; index++) {
          if (usedCpu[index] + cpu <= freeCpu && usedMemory[index] + memory <= freeMemory) {
            usedCpu[index] += cpu;
            usedMemory[index] += memory;
            start = index;
            put = true;
            break;
          }
        }
        if (!put) {
          start = usedCpu.length;
          usedCpu.push(cpu);
          usedMemory.push(memory);
        }
      }
    });
    var requests = {};
    order.forEach(function (item) { requests[item[2]] = [-item[0], -item[1]]; });
    oversized.forEach(function (name) {
      notes.push(
        "Pod " + name + " requests " + fmt(requests[name][0] / 1000) + " CPU and " + fmt(requests[name][1] / 1000) + " GB, more than one " +
        node.vcpu + " vCPU / " + fmt(node.memory_gb) + " GB node offers after headroom and per-node pods (" + fmt(freeCpu / 1000) + " CPU, " +
        fmt(freeMemory / 1000) + " GB): give it larger nodes (a node pool of its own). Each of its replicas is counted as one node."
      );
    });
    var instanceTypes = {};
    clouds.forEach(function (cloud) {
      instanceTypes[cloud] = Object.prototype.hasOwnProperty.call(node.instance_types, cloud) ? node.instance_types[cloud] : null;
    });
    return {
      role: "worker nodes",
      count: Math.max(1, usedCpu.length),
      vcpu: node.vcpu,
      memory_gb: node.memory_gb,
      instance_types: instanceTypes,
      boot_disk_gb: node.boot_disk_gb,
      storage_class: node.storage_class,
      ssd: true,
      pods: placed,
      headroom: node.headroom
    };
  }

  function totalsOf(statics, changing, nodes) {
    var sums = [0, 0, 0, 0, 0];
    if (statics) {
      sums = statics.totals.map(function (value, index) { return value + statics.perNodeTotals[index] * nodes; });
    }
    changing.forEach(function (row) {
      var copies = row.per_node ? nodes : row.replicas;
      sums[0] += (row.cpu_request || 0) * copies;
      sums[1] += (row.cpu_limit || 0) * copies;
      sums[2] += (row.memory_request_gb || 0) * copies;
      sums[3] += (row.memory_limit_gb || 0) * copies;
      sums[4] += (row.storage_gb || 0) * copies;
    });
    return {
      cpu_request: round3(sums[0]),
      cpu_limit: round3(sums[1]),
      memory_request_gb: round3(sums[2]),
      memory_limit_gb: round3(sums[3]),
      storage_gb: round3(sums[4])
    };
  }

  function singleMachine(model, tier, totals, clouds, notes) {
    var needCpu = Math.max(tier.vcpu, totals.cpu_request);
    var needMemory = Math.max(tier.memory_gb, totals.memory_request_gb);
    if (needCpu > tier.vcpu || needMemory > tier.memory_gb) {
      notes.push(
        "The services request " + fmt(totals.cpu_request) + " CPU and " + fmt(totals.memory_request_gb) + " GB, more than size " + tier.name +
        "'s machine (" + tier.vcpu + " vCPU, " + fmt(tier.memory_gb) + " GB): the machine below is sized to the requests."
      );
    }
    var chosen = {};
    clouds.forEach(function (cloud) {
      var types = model.machine_types[cloud] || [];
      var own = null;
      for (var i = 0; i < types.length; i++) {
        if (types[i].id === tier.instance_types[cloud]) {
          own = types[i];
          break;
        }
      }
      if (own !== null && own.vcpu >= needCpu && own.memory_gb >= needMemory) {
        chosen[cloud] = own.id;
        return;
      }
      var fits = types.filter(function (m) { return m.vcpu >= needCpu && m.memory_gb >= needMemory; });
      chosen[cloud] = fits.length ? fits[0].id : null;
      if (!fits.length) {
        notes.push("No " + cloud + " machine type in the catalog has " + fmt(needCpu) + " vCPU and " + fmt(needMemory) + " GB; use Kubernetes instead.");
      }
    });
    return {
      role: "all services",
      count: 1,
      vcpu: Math.ceil(needCpu),
      memory_gb: Math.ceil(needMemory),
      instance_types: chosen,
      data_disk_gb: Math.ceil(totals.storage_gb),
      ssd: true
    };
  }

  /** sizing.evaluate: size one set of checked inputs (every input name present, null when not given) against the model. */
  function evaluate(model, inputs) {
    var prepared = prepare(model);
    var effective = effectiveInputs(prepared, inputs);
    var values = effective[0];
    var defaulted = effective[1];
    var given = function (name) { return values[name] !== null && values[name] !== undefined; };
    var sizes = model.sizes;
    var notes = [];
    if (defaulted.length) {
      // Each input by its own description in the model, as the Python engine says it.
      notes.push("Not given, so the resource estimator's defaults are used: " + defaulted.map(function (name) { return inputLabel(model, name) + ": " + show(values[name]); }).join("; ") + ".");
    }

    // 1. The tier: each input on its own, then the largest.
    var drivers = [];
    var pastEverySize = [];
    var tierAt = 0;
    prepared.limits.forEach(function (pair) {
      var name = pair[0];
      if (!given(name)) return;
      var value = values[name];
      var index = tierIndex(pair[1], value);
      if (index < 0) {
        pastEverySize.push(name);
        index = pair[1].length - 1;
      }
      drivers.push({ input: name, value: value, tier: sizes[index].id, tier_name: sizes[index].name, given: defaulted.indexOf(name) < 0 });
      if (index > tierAt) tierAt = index;
    });
    var tier = sizes[tierAt];
    var beyond = {};
    prepared.covered.forEach(function (pair) {
      if (given(pair[0]) && values[pair[0]] > pair[1]) beyond[pair[0]] = true;
    });
    pastEverySize.forEach(function (name) { beyond[name] = true; });
    var beyondInputs = Object.keys(beyond).sort();
    var beyondModel = beyondInputs.length > 0;
    var contactSupport = tier.contact_support || beyondModel;

    // 2. The method and the architecture.
    var methodId = values.method || tier.recommended_method || model.recommended_method;
    var method = model.methods[methodId];
    var serves = method.serves.indexOf(tier.id) >= 0;
    var archId = methodId + "-" + tier.id;
    var architecture = serves && Object.prototype.hasOwnProperty.call(model.architectures, archId) ? archId : null;
    if (!given("method")) {
      var why = tier.recommended_method ? "size " + tier.name : "the product";
      notes.push("No method given: " + method.name + " (" + methodId + ") is the recommended method for " + why + ".");
    }
    if (["removed", "deprecated", "unavailable"].indexOf(method.level) >= 0) {
      var when = method.level === "removed" ? method.removed : method.deprecated;
      var since = when ? " (since " + when + ")" : "";
      var instead = method.replacement ? "; use " + method.replacement + " instead" : "";
      notes.push(method.name + " (" + methodId + ") is " + method.level + " at " + model.version + since + instead + ".");
    }
    if (!method.production) {
      notes.push(method.name + " (" + methodId + ") is not meant for production.");
    }
    if (!serves) {
      var served = sizes.filter(function (s) { return method.serves.indexOf(s.id) >= 0; }).map(function (s) { return s.name; }).join(", ");
      notes.push(
        method.name + " (" + methodId + ") does not serve size " + tier.name + "; it serves " + served + ". " +
        "Methods that serve " + tier.name + ": " + prepared.serving[tier.id].join(", ") + "."
      );
    }
    if (method.plan === "managed") {
      notes.push(method.name + " (" + methodId + ") is a managed offering: the vendor runs it, so there are no services or machines to plan.");
    } else if (serves && architecture === null) {
      notes.push("The catalog has no reference architecture for " + methodId + " at size " + tier.name + "; the resources below are computed from the sizing model.");
    }

    // 3. Per-service resources.
    var factors = {};
    Object.keys(model.factors).forEach(function (name) {
      var total = 0;
      model.factors[name].forEach(function (term) { total += values[term[0]] * term[1]; });
      factors[name] = total;
    });
    var services = [];
    var changing = [];
    var serviceSources = {};
    var statics = null;
    var pastPoints = [];
    if (method.plan !== "managed") {
      var source = method.resources_from;
      serviceSources = prepared.sources[source];
      statics = prepared.statics[source];
      var pods = {};
      prepared.services[source].forEach(function (service) {
        if (service.isStatic) {
          services.push(copy(service.template));
          return;
        }
        if (service.featureInput !== null) {
          var switchValue = given(service.featureInput) ? values[service.featureInput] : null;
          if (!(switchValue === null ? service.defaultOn : switchValue)) {
            services.push(copy(service.offRow));
            var reason = switchValue !== null ? service.featureInput + " is off" : "it is off by default; turn it on with " + service.featureInput;
            notes.push(service.id + " gets no resources: " + reason + ".");
            return;
          }
        }
        if (service.factor !== null && service.factorMax !== null && factors[service.factor] > service.factorMax) {
          pastPoints.push(service.id);
        }
        var row = service.fixed ? copy(service.template) : scaleService(service, factors, prepared.wholeAbove, prepared.step);
        services.push(row);
        changing.push(row);
        if (service.pod !== null && row.replicas > (pods[service.pod] || 0)) pods[service.pod] = row.replicas;
      });
      // Services in one pod run with one replica count: the largest.
      changing.forEach(function (row) {
        if (row.pod !== null && Object.prototype.hasOwnProperty.call(pods, row.pod)) row.replicas = pods[row.pod];
      });
    }
    if (pastPoints.length && !beyondModel) {
      contactSupport = true;
      notes.push("Past the largest reference point for " + pastPoints.join(", ") + ": the estimator says to contact support.");
    }

    // 4. Machines.
    var machines = [];
    var nodes = 1;
    var clouds = given("cloud") ? [values.cloud] : model.clouds;
    if (serves && method.plan === "kubernetes") {
      var machine = nodePlan(model.kubernetes, statics, changing, clouds, notes);
      machines.push(machine);
      nodes = machine.count;
    }
    var totals = totalsOf(statics, changing, nodes);
    if (serves && method.plan === "single-machine") {
      machines.push(singleMachine(model, tier, totals, clouds, notes));
    }

    // 5. Advice.
    if (tier.contact_support) {
      notes.push(format(model.advice.contact_support, { tier: tier.name }));
    }
    if (beyondModel) {
      var described = beyondInputs.map(function (name) {
        var coveredMax = model.inputs[name].covered_max;
        return name + " " + fmt(values[name]) + (coveredMax !== null && coveredMax !== undefined ? " (covered up to " + fmt(coveredMax) + ")" : " (past every size)");
      }).join(", ");
      notes.push(format(model.advice.beyond_model, { inputs: described }));
    }
    if (tierAt + 1 < sizes.length) {
      var threshold = model.close_to_next;
      var following = sizes[tierAt + 1].name;
      drivers.forEach(function (driver) {
        var limit = tier.limits[driver.input];
        if (driver.given && limit !== null && limit !== undefined && driver.value >= limit * (1 - threshold)) {
          notes.push(
            driver.input + " " + fmt(driver.value) + " is within " + fmt(threshold * 100) + "% of size " + tier.name + "'s limit (" + fmt(limit) + "): " +
            "you are close to " + following + "; plan for growth."
          );
        }
      });
    }
    var largest = given("largest_repo_gb") ? values.largest_repo_gb : null;
    if (prepared.largestRepoLimit !== null && largest !== null && largest > prepared.largestRepoLimit[0]) {
      notes.push(format(model.advice.monorepo, { value: fmt(largest), limit: fmt(prepared.largestRepoLimit[0]), size: prepared.largestRepoLimit[2].name }));
    }

    var driverFiles = {};
    drivers.forEach(function (driver) { driverFiles[driver.input] = prepared.sizeFiles[driver.tier]; });
    return {
      schema_version: 1,
      version: model.version,
      catalog: model.catalog,
      inputs: values,
      defaulted: defaulted,
      tier: tier.id,
      tier_name: tier.name,
      drivers: drivers,
      driven_by: drivers.filter(function (d) { return d.tier === tier.id; }).map(function (d) { return d.input; }),
      contact_support: contactSupport,
      beyond_model: beyondModel,
      beyond_model_inputs: beyondInputs,
      method: methodId,
      method_serves_tier: serves,
      architecture: architecture,
      services: services,
      totals: totals,
      machines: machines,
      notes: notes,
      sources: {
        tier: tier.file,
        drivers: driverFiles,
        defaults: defaulted.length ? model.sizing_file : null,
        method: method.file,
        recommended_method: given("method") ? null : (tier.recommended_method ? tier.file : model.product_file),
        architecture: architecture ? model.architectures[architecture] : null,
        services: serviceSources,
        machines: machines.map(function (m) { return m.role === "worker nodes" ? model.sizing_file : tier.file; }).concat(machines.length ? [model.machine_types_file] : []),
        rules: model.sizing_file
      }
    };
  }

  // --- the page ----------------------------------------------------------------------------

  /** The form's values as checked inputs, or a list of problems in plain words. */
  /** An input named by the first clause of its description (the same words as the Python engine's _input_label). */
  function inputLabel(model, name) {
    var spec = model.inputs[name];
    var description = String((spec && spec.description) || name);
    return description.split(";")[0].replace(/\.+$/, "");
  }

  function readForm(model, form) {
    var inputs = {};
    var problems = [];
    Object.keys(model.inputs).forEach(function (name) { inputs[name] = null; });
    Array.prototype.forEach.call(form.elements, function (field) {
      var spec = model.inputs[field.name];
      if (!spec) return;
      var text = String(field.value || "").trim();
      if (text === "") return;
      var label = field.closest ? field.closest("label") : null;
      var what = label ? label.firstChild.textContent.trim() : field.name;
      if (spec.type === "boolean") {
        inputs[field.name] = text === "true";
      } else if (spec.type === "string") {
        inputs[field.name] = text;
      } else {
        var value = Number(text.replace(/[,_\s]/g, ""));
        if (!Number.isFinite(value) || (spec.type === "integer" && !isWhole(value))) {
          problems.push(what + ": enter " + (spec.type === "integer" ? "a whole number" : "a number") + ".");
        } else if (spec.minimum !== undefined && value < spec.minimum) {
          problems.push(what + ": must be at least " + fmt(spec.minimum) + ".");
        } else if (spec.exclusive_minimum !== undefined && value <= spec.exclusive_minimum) {
          problems.push(what + ": must be above " + fmt(spec.exclusive_minimum) + ".");
        } else {
          inputs[field.name] = value;
        }
      }
    });
    if (inputs.largest_repo_gb !== null && inputs.total_repo_size_gb !== null && inputs.largest_repo_gb > inputs.total_repo_size_gb) {
      problems.push("The largest repository is part of the total, so it cannot be larger than the total size of all repositories.");
    }
    return { inputs: inputs, problems: problems };
  }

  function element(doc, tag, attributes, children) {
    var node = doc.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? doc.createTextNode(child) : child);
    });
    return node;
  }

  function table(doc, headers, rows) {
    var head = element(doc, "tr", {}, headers.map(function (h) { return element(doc, "th", {}, [h]); }));
    var body = rows.map(function (row) {
      return element(doc, "tr", {}, row.map(function (cell) { return element(doc, "td", {}, [cell]); }));
    });
    // The theme's own wrapping of Markdown tables, so these scroll inside their box on a narrow screen, like the page's.
    var inner = element(doc, "div", { "class": "md-typeset__table" }, [element(doc, "table", {}, [element(doc, "thead", {}, [head]), element(doc, "tbody", {}, body)])]);
    return element(doc, "div", { "class": "md-typeset__scrollwrap" }, [inner]);
  }

  function cell(value) {
    return value === null || value === undefined ? "-" : fmt(value);
  }

  function render(doc, model, answer, out) {
    var methods = model.methods;
    var sizeNames = {};
    model.sizes.forEach(function (s) { sizeNames[s.id] = s.name; });
    var parts = [];
    var tierLine = element(doc, "p", { "class": "ra-tier-line" }, [
      "Size ",
      element(doc, "strong", { id: "ra-tier", "data-tier": answer.tier, "class": "ra-tier" }, [answer.tier_name]),
      ". Method: " + methods[answer.method].name + "."
    ]);
    if (answer.contact_support) {
      tierLine.appendChild(doc.createTextNode(" "));
      tierLine.appendChild(element(doc, "span", { "class": "ra-badge ra-best-effort" }, ["talk to " + model.product_name + " support"]));
    }
    parts.push(tierLine);

    var link = doc.querySelector('a[data-architecture="' + answer.architecture + '"]');
    if (answer.architecture && link) {
      parts.push(element(doc, "p", {}, ["Read: ", element(doc, "a", { id: "ra-architecture", href: link.getAttribute("href"), "data-architecture": answer.architecture }, [link.textContent])]));
      var config = doc.querySelector('a[data-config="' + answer.architecture + '"]');
      if (config) {
        parts.push(element(doc, "p", {}, ["Deploy it: ", element(doc, "a", { id: "ra-config", href: config.getAttribute("href"), download: "" }, ["download its override file"]),
          " and run the commands on the architecture page under \"Override file\"."]));
      }
    } else {
      parts.push(element(doc, "p", { id: "ra-architecture-missing" }, ["There is no reference architecture for this size and method; see the notes below."]));
    }

    parts.push(element(doc, "h3", {}, ["What decided the size"]));
    // Each input by its own description in the model, never its key; a default is marked where it was applied.
    parts.push(table(doc, ["Input", "Value", "Needs size", "Effect"], answer.drivers.map(function (d) {
      return [inputLabel(model, d.input), fmt(d.value) + (d.given ? "" : " (default)"), d.tier_name, d.tier === answer.tier ? "decides the size" : "-"];
    })));

    if (answer.machines.length) {
      parts.push(element(doc, "h3", {}, [answer.machines[0].role === "worker nodes" ? "Nodes" : "Machine"]));
      var clouds = Object.keys(answer.machines[0].instance_types);
      parts.push(table(doc, ["Role", "Count", "vCPU each", "Memory each (GB)"].concat(clouds.map(function (c) { return model.cloud_names[c] || c; })), answer.machines.map(function (m) {
        return [m.role, fmt(m.count), fmt(m.vcpu), fmt(m.memory_gb)].concat(clouds.map(function (c) { return m.instance_types[c] || "-"; }));
      })));
    }

    if (answer.services.length) {
      parts.push(element(doc, "h3", {}, ["Services"]));
      var rows = answer.services.map(function (s) {
        if (!s.enabled) return [s.name, "off", "-", "-", "-", "-", "-"];
        return [s.name, s.per_node ? "one per node" : fmt(s.replicas), cell(s.cpu_request), cell(s.cpu_limit), cell(s.memory_request_gb), cell(s.memory_limit_gb), cell(s.storage_gb)];
      });
      var t = answer.totals;
      rows.push(["Total (× replicas)", "", fmt(t.cpu_request), fmt(t.cpu_limit), fmt(t.memory_request_gb), fmt(t.memory_limit_gb), fmt(t.storage_gb)]);
      parts.push(table(doc, ["Service", "Replicas", "CPU request", "CPU limit", "Memory request (GB)", "Memory limit (GB)", "Storage (GB)"], rows));
    }

    if (answer.notes.length) {
      parts.push(element(doc, "h3", {}, ["Notes"]));
      parts.push(element(doc, "ul", {}, answer.notes.map(function (note) { return element(doc, "li", {}, [note]); })));
    }
    while (out.firstChild) out.removeChild(out.firstChild);
    parts.forEach(function (part) { out.appendChild(part); });
  }

  function start(doc, win) {
    var form = doc.getElementById("ra-calculator");
    var out = doc.getElementById("ra-result");
    var data = doc.getElementById("ra-sizing-model");
    if (!form || !out || !data) return;
    var model = JSON.parse(data.textContent);
    var params = win && win.location ? new URLSearchParams(win.location.search) : null;
    if (params) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && params.has(field.name)) field.value = params.get(field.name);
      });
    }
    function update() {
      var read = readForm(model, form);
      if (read.problems.length) {
        while (out.firstChild) out.removeChild(out.firstChild);
        out.appendChild(element(doc, "div", { "class": "admonition warning", id: "ra-problems" }, read.problems.map(function (p) { return element(doc, "p", {}, [p]); })));
        return;
      }
      render(doc, model, evaluate(model, read.inputs), out);
      if (win && win.history && win.history.replaceState && params) {
        var query = new URLSearchParams();
        Array.prototype.forEach.call(form.elements, function (field) {
          if (field.name && String(field.value || "").trim() !== "") query.set(field.name, String(field.value).trim());
        });
        var search = query.toString();
        try {
          win.history.replaceState(null, "", search ? "?" + search + win.location.hash : win.location.pathname + win.location.hash);
        } catch (ignored) {
          // Some hosts (file:// in a few browsers) refuse; the calculator works all the same.
        }
      }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  return { evaluate: evaluate, fmt: fmt, start: start, element: element, table: table };
});
