// VetQL's live anesthesia monitor: sign in with a token (kept in memory only), pick an open anesthesia
// log, plot its vitals as they arrive (vitalsRecorded), light its alarms (anesthesiaAlarms) and, after a
// dropped connection, fill the gap from `since` with every reading exactly once (de-duplicated by id).
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("vetql-config").textContent);
  var HTTP_URL = new URL(config.graphql, window.location.href).toString();
  var WS_URL = HTTP_URL.replace(/^http/, "ws");
  var PROTOCOL = "graphql-transport-ws";
  var RESUME_MARGIN_MS = 5 * 60 * 1000; // readings may be taken slightly out of order: look back, then de-duplicate
  var PHASE_REFRESH_MS = 15000;
  var LOCALE = "es-PY";

  var PARAMS = [
    { key: "heartRate", label: "Frecuencia cardíaca", unit: "lpm", color: "#3fb950", kinds: ["BRADYCARDIA", "TACHYCARDIA"], digits: 0, range: [40, 180] },
    { key: "spo2", label: "SpO₂", unit: "%", color: "#58a6ff", kinds: ["SEVERE_HYPOXEMIA", "HYPOXEMIA"], digits: 1, range: [80, 100] },
    { key: "etco2", label: "EtCO₂", unit: "mmHg", color: "#e3b341", kinds: ["SEVERE_HYPERCAPNIA", "HYPERCAPNIA"], digits: 0, range: [20, 60] },
    { key: "bloodPressureMean", label: "PAM (presión arterial media)", unit: "mmHg", color: "#ff7b72",
      kinds: ["SEVERE_HYPOTENSION", "HYPOTENSION"], digits: 0, range: [40, 120] },
    { key: "temperature", label: "Temperatura", unit: "°C", color: "#d2a8ff",
      kinds: ["SEVERE_HYPOTHERMIA", "MODERATE_HYPOTHERMIA", "MILD_HYPOTHERMIA"], digits: 1, range: [34, 40] },
    { key: "anesthesiaDepth", label: "Profundidad anestésica", unit: "", color: "#79c0ff", kinds: ["TOO_DEEP"], depth: true },
  ];
  var DEPTHS = { LIGHT: [1, "Superficial"], SURGICAL: [2, "Quirúrgica"], DEEP: [3, "Profunda"], TOO_DEEP: [4, "Demasiado profunda"] };
  var LIGHTS = [
    ["Hipoxemia", ["SEVERE_HYPOXEMIA", "HYPOXEMIA"]],
    ["Hipotensión", ["SEVERE_HYPOTENSION", "HYPOTENSION"]],
    ["Bradicardia", ["BRADYCARDIA"]],
    ["Taquicardia", ["TACHYCARDIA"]],
    ["Hipercapnia", ["SEVERE_HYPERCAPNIA", "HYPERCAPNIA"]],
    ["Hipotermia", ["SEVERE_HYPOTHERMIA", "MODERATE_HYPOTHERMIA", "MILD_HYPOTHERMIA"]],
    ["Plano demasiado profundo", ["TOO_DEEP"]],
  ];
  var KIND_LABELS = {
    SEVERE_HYPOXEMIA: "Hipoxemia grave", HYPOXEMIA: "Hipoxemia", SEVERE_HYPOTENSION: "Hipotensión grave",
    HYPOTENSION: "Hipotensión", BRADYCARDIA: "Bradicardia", TACHYCARDIA: "Taquicardia",
    SEVERE_HYPERCAPNIA: "Hipercapnia grave", HYPERCAPNIA: "Hipercapnia", SEVERE_HYPOTHERMIA: "Hipotermia grave",
    MODERATE_HYPOTHERMIA: "Hipotermia moderada", MILD_HYPOTHERMIA: "Hipotermia leve", TOO_DEEP: "Plano demasiado profundo",
  };
  var PHASES = [
    ["inductionTime", "Inducción"], ["maintenanceStart", "Mantenimiento"], ["recoveryStart", "Recuperación"],
    ["extubationTime", "Extubación"], ["fullRecoveryTime", "Recuperación completa"], ["completedAt", "Cierre"],
  ];
  var SPECIES = { DOG: "perro", CAT: "gato", RABBIT: "conejo", FERRET: "hurón", BIRD: "ave", REPTILE: "reptil", OTHER: "otra especie" };

  var VITAL_FIELDS = "id recordedAt heartRate spo2 etco2 bloodPressureSystolic bloodPressureDiastolic bloodPressureMean temperature anesthesiaDepth";
  var ALARM_FIELDS = "id kind severity message value threshold raisedAt clearedAt isActive";
  var Q_VIEWER = "query MonitorViewer { viewer { role clinic { name } } }";
  var Q_OPEN_LOGS =
    "query MonitorOpenLogs($after: String) {" +
    " pets(first: 100, after: $after) { pageInfo { hasNextPage endCursor }" +
    " nodes { name species anesthesiaLogs(first: 3) { nodes { id procedureName createdAt inductionTime completedAt } } } } }";
  var Q_LOG =
    "query MonitorLog($id: ID!) { node(id: $id) { __typename ... on AnesthesiaLog { id procedureName anesthesiaProtocol" +
    " inductionTime maintenanceStart recoveryStart extubationTime fullRecoveryTime outcome completedAt createdAt" +
    " pet { name species weightKg } alarms { " + ALARM_FIELDS + " } } } }";
  var S_VITALS =
    "subscription MonitorVitals($log: ID!, $since: DateTime) { vitalsRecorded(anesthesiaLogId: $log, since: $since) { " +
    VITAL_FIELDS + " } }";
  var S_ALARMS =
    "subscription MonitorAlarms($log: ID) { anesthesiaAlarms(anesthesiaLogId: $log) { transition occurredAt sequence" +
    " alarm { " + ALARM_FIELDS + " } } }";

  // ---- state (the token lives here and nowhere else: not in the URL, storage or logs) ----
  var token = null;
  var logId = null;
  var readings = new Map(); // id -> reading
  var ordered = []; // readings sorted by recordedAt, then by arrival
  var alarms = new Map(); // id -> alarm
  var charts = {};
  var ws = null;
  var wsGeneration = 0;
  var opSeq = 0;
  var ops = {}; // subscription id -> "vitals" | "alarms"
  var retries = 0;
  var reconnectTimer = null;
  var phaseTimer = null;
  var drawPending = false;
  var connects = 0;

  var $ = function (id) { return document.getElementById(id); };
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString(LOCALE, { hour12: false }) : "—"; }
  function num(value, digits) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function setStatus(kind, text) { var s = $("status"); s.className = "status " + kind; s.textContent = text; }
  function show(section) {
    ["signin", "picker", "monitor"].forEach(function (id) { $(id).hidden = id !== section; });
    $("signout").hidden = section === "signin";
  }

  // ---- HTTP ----
  function gql(query, variables) {
    return fetch(HTTP_URL, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + token },
      body: JSON.stringify({ query: query, variables: variables || {} }),
      credentials: "omit",
      cache: "no-store",
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.status === 401 || response.status === 403) throw authError(body);
        if (body.errors && body.errors.length) {
          var e = new Error(body.errors[0].message);
          e.code = body.errors[0].extensions && body.errors[0].extensions.code;
          throw e;
        }
        return body.data;
      });
    });
  }
  function authError(body) {
    var e = new Error((body && body.errors && body.errors[0] && body.errors[0].message) || "Token rechazado");
    e.auth = true;
    return e;
  }

  // ---- sign in / out ----
  $("signin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("token").value.trim().replace(/^Bearer\s+/i, "");
    $("token").value = "";
    if (!value) return;
    token = value;
    $("signin-error").textContent = "";
    loadPicker().catch(function (e) { signOut(e.auth ? "El servidor rechazó el token." : e.message); });
  });
  $("signout").addEventListener("click", function () { signOut(""); });
  $("back").addEventListener("click", function () { closeLog(); show("picker"); loadPicker().catch(function () {}); });
  $("open-by-id").addEventListener("submit", function (event) {
    event.preventDefault();
    var id = $("log-id").value.trim();
    if (id) openLog(id);
  });

  function signOut(message) {
    closeLog();
    token = null;
    $("clinic").textContent = "";
    $("signin-error").textContent = message || "";
    setStatus("off", "Sin conexión");
    show("signin");
  }

  function loadPicker() {
    var found = [];
    var clinic = null;
    function page(after) {
      return gql(Q_OPEN_LOGS, { after: after }).then(function (data) {
        data.pets.nodes.forEach(function (pet) {
          pet.anesthesiaLogs.nodes.forEach(function (log) {
            if (!log.completedAt) found.push({ pet: pet, log: log });
          });
        });
        if (data.pets.pageInfo.hasNextPage && found.length < 50) return page(data.pets.pageInfo.endCursor);
        return null;
      });
    }
    return gql(Q_VIEWER).then(function (data) {
      var viewer = data.viewer;
      if (!viewer || (viewer.role !== "VET" && viewer.role !== "ADMIN")) {
        throw new Error("Este monitor es para el personal de la clínica (veterinario o administrador).");
      }
      clinic = viewer.clinic && viewer.clinic.name;
      return page(null);
    }).then(function () {
      $("clinic").textContent = clinic || "";
      var list = $("open-logs");
      list.replaceChildren();
      found.sort(function (a, b) { return (b.log.inductionTime || b.log.createdAt).localeCompare(a.log.inductionTime || a.log.createdAt); });
      if (!found.length) list.appendChild(el("li", "muted", "No hay anestesias abiertas en la clínica."));
      found.forEach(function (item) {
        var li = el("li");
        var button = el("button", "open-log");
        button.type = "button";
        button.dataset.logId = item.log.id;
        button.textContent = item.pet.name + " (" + (SPECIES[item.pet.species] || item.pet.species) + ") · " +
          item.log.procedureName + " · desde las " + time(item.log.inductionTime || item.log.createdAt);
        button.addEventListener("click", function () { openLog(item.log.id); });
        li.appendChild(button);
        list.appendChild(li);
      });
      show("picker");
    });
  }

  // ---- one log ----
  function openLog(id) {
    $("picker-error").textContent = "";
    gql(Q_LOG, { id: id }).then(function (data) {
      var log = data.node;
      if (!log || log.__typename !== "AnesthesiaLog") throw new Error("No se encontró ese registro de anestesia.");
      closeLog();
      logId = log.id;
      show("monitor"); // before the charts, so they know their width
      buildVitals();
      renderLog(log);
      connect();
      phaseTimer = setInterval(refreshLog, PHASE_REFRESH_MS);
    }).catch(function (e) {
      if (e.auth) signOut("El servidor rechazó el token.");
      else $("picker-error").textContent = e.code === "BAD_USER_INPUT" ? "Ese ID no es de un registro de anestesia." : e.message;
    });
  }

  function closeLog() {
    logId = null;
    clearInterval(phaseTimer);
    clearTimeout(reconnectTimer);
    if (ws) { wsGeneration++; ws.close(1000, "closed by the user"); ws = null; }
    ops = {};
    readings = new Map();
    ordered = [];
    alarms = new Map();
    Object.keys(charts).forEach(function (k) { charts[k].destroy(); });
    charts = {};
  }

  function refreshLog() {
    if (!logId) return Promise.resolve();
    var id = logId;
    return gql(Q_LOG, { id: id }).then(function (data) {
      if (logId === id && data.node) renderLog(data.node);
    }).catch(function (e) { if (e.auth) signOut("La sesión expiró o el token fue rechazado."); });
  }

  function renderLog(log) {
    var pet = log.pet || {};
    $("patient").textContent = (pet.name || "Paciente") + " · " + (SPECIES[pet.species] || pet.species || "") +
      (pet.weightKg ? " · " + num(pet.weightKg, 1) + " kg" : "");
    $("procedure").textContent = log.procedureName + (log.anesthesiaProtocol ? " — " + log.anesthesiaProtocol : "") +
      (log.completedAt ? " · cerrado (" + (log.outcome || "") + ")" : "");
    var phases = $("phases");
    phases.replaceChildren();
    var current = -1;
    PHASES.forEach(function (p, i) { if (log[p[0]]) current = i; });
    PHASES.forEach(function (p, i) {
      var li = el("li", i < current ? "done" : i === current ? "current" : "", null);
      li.appendChild(el("b", null, p[1]));
      li.appendChild(document.createTextNode(log[p[0]] ? time(log[p[0]]) : "pendiente"));
      phases.appendChild(li);
    });
    (log.alarms || []).forEach(mergeAlarm);
    renderAlarms();
  }

  // ---- vitals: tiles and charts ----
  function buildVitals() {
    var box = $("vitals");
    box.replaceChildren();
    PARAMS.forEach(function (p) {
      var tile = el("div", "vital");
      tile.id = "vital-" + p.key;
      var now = el("div", "now");
      now.appendChild(el("div", "name", p.label));
      var value = el("div", "value" + (p.depth ? " text" : ""), "—");
      value.id = "value-" + p.key;
      if (p.unit) { var unit = el("span", "unit", p.unit); value.appendChild(unit); }
      now.appendChild(value);
      var extra = el("div", "extra", "");
      extra.id = "extra-" + p.key;
      now.appendChild(extra);
      var chart = el("div", "chart");
      tile.appendChild(now);
      tile.appendChild(chart);
      box.appendChild(tile);
      var width = Math.max(200, chart.clientWidth - 12 || 600);
      charts[p.key] = new uPlot({
        width: width, height: 110, legend: { show: false }, cursor: { show: false },
        scales: { x: { time: true }, y: { range: p.depth ? [0.5, 4.5] : steadyRange(p.range) } },
        axes: [
          { stroke: "#8b9bab", grid: { stroke: "#1d2731" }, ticks: { stroke: "#1d2731" }, values: clockTicks },
          p.depth
            ? { stroke: "#8b9bab", grid: { stroke: "#1d2731" }, ticks: { stroke: "#1d2731" }, size: 44,
                splits: function () { return [1, 4]; },
                values: function (u, ticks) { return ticks.map(function (t) { return ["", "Sup.", "Quir.", "Prof.", "Exc."][t] || ""; }); } }
            : { stroke: "#8b9bab", grid: { stroke: "#1d2731" }, ticks: { stroke: "#1d2731" }, size: 44 },
        ],
        series: [{}, { stroke: p.color, width: 2, points: { show: false }, spanGaps: true, paths: p.depth ? uPlot.paths.stepped({ align: 1 }) : undefined }],
      }, [[], []], chart);
    });
  }
  // A steady scale, as on a bedside monitor: the usual span of the parameter, widened only by the data.
  function steadyRange(usual) {
    return function (u, min, max) {
      if (min === null || max === null) return usual;
      var pad = Math.max(1, (max - min) * 0.1);
      return [Math.min(usual[0], Math.floor(min - pad)), Math.max(usual[1], Math.ceil(max + pad))];
    };
  }
  function clockTicks(u, ticks) {
    var seconds = ticks.length > 1 && ticks[1] - ticks[0] < 60;
    return ticks.map(function (t) {
      return new Date(t * 1000).toLocaleTimeString(LOCALE, seconds
        ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }
        : { hour: "2-digit", minute: "2-digit", hour12: false });
    });
  }
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) {
      var box = charts[k].root.parentNode;
      charts[k].setSize({ width: Math.max(200, box.clientWidth - 12), height: 110 });
    });
  });

  function addReadings(list) {
    var added = 0;
    var outOfOrder = false;
    list.forEach(function (r) {
      if (readings.has(r.id)) return; // replayed after a reconnect: already on the chart
      readings.set(r.id, r);
      r._t = Date.parse(r.recordedAt);
      r._n = readings.size;
      if (ordered.length && r._t < ordered[ordered.length - 1]._t) outOfOrder = true;
      ordered.push(r);
      added++;
    });
    if (!added) return;
    if (outOfOrder) ordered.sort(function (a, b) { return a._t - b._t || a._n - b._n; });
    if (!drawPending) { drawPending = true; requestAnimationFrame(draw); }
  }

  function latest(key) {
    for (var i = ordered.length - 1; i >= 0; i--) if (ordered[i][key] !== null && ordered[i][key] !== undefined) return ordered[i];
    return null;
  }

  function draw() {
    drawPending = false;
    var xs = ordered.map(function (r) { return r._t / 1000; });
    PARAMS.forEach(function (p) {
      var ys = ordered.map(function (r) {
        var v = r[p.key];
        if (v === null || v === undefined) return null;
        return p.depth ? (DEPTHS[v] || [null])[0] : v;
      });
      if (charts[p.key]) charts[p.key].setData([xs, ys]);
      var last = latest(p.key);
      var value = $("value-" + p.key);
      if (!value) return;
      value.firstChild.nodeValue = last ? (p.depth ? (DEPTHS[last[p.key]] || [0, last[p.key]])[1] : num(last[p.key], p.digits)) : "—";
      var extra = "";
      if (p.key === "bloodPressureMean" && last && last.bloodPressureSystolic) {
        extra = "PAS/PAD " + last.bloodPressureSystolic + "/" + (last.bloodPressureDiastolic || "—") + " mmHg";
      }
      if (last) extra += (extra ? " · " : "") + time(last.recordedAt);
      $("extra-" + p.key).textContent = extra;
    });
    $("count").textContent = "(" + ordered.length.toLocaleString(LOCALE) + ")";
    var body = $("recent");
    body.replaceChildren();
    ordered.slice(-8).reverse().forEach(function (r) {
      var tr = el("tr");
      [time(r.recordedAt), num(r.heartRate, 0), num(r.spo2, 1), num(r.etco2, 0), num(r.bloodPressureMean, 0), num(r.temperature, 1)]
        .forEach(function (text) { tr.appendChild(el("td", null, text)); });
      body.appendChild(tr);
    });
  }

  // ---- alarms ----
  function mergeAlarm(alarm) {
    var known = alarms.get(alarm.id);
    // A cleared alarm never opens again: whichever copy says cleared is the newer one.
    if (known && known.clearedAt && !alarm.clearedAt) return;
    alarms.set(alarm.id, alarm);
  }

  function renderAlarms() {
    var active = Array.from(alarms.values()).filter(function (a) { return a.isActive; });
    var lights = $("lights");
    lights.replaceChildren();
    LIGHTS.forEach(function (light) {
      var on = active.filter(function (a) { return light[1].indexOf(a.kind) >= 0; });
      var critical = on.some(function (a) { return a.severity === "CRITICAL"; });
      var node = el("div", "light" + (on.length ? " on " + (critical ? "critical" : "warning") : ""), light[0]);
      node.dataset.kinds = light[1].join(" ");
      if (on.length) node.title = on.map(function (a) { return a.message; }).join("; ");
      lights.appendChild(node);
    });
    PARAMS.forEach(function (p) {
      var tile = $("vital-" + p.key);
      if (!tile) return;
      var on = active.filter(function (a) { return p.kinds.indexOf(a.kind) >= 0; });
      tile.className = "vital" + (on.length ? (on.some(function (a) { return a.severity === "CRITICAL"; }) ? " critical" : " warning") : "");
    });
    var history = $("alarm-history");
    history.replaceChildren();
    var all = Array.from(alarms.values()).sort(function (a, b) { return b.raisedAt.localeCompare(a.raisedAt); });
    if (!all.length) history.appendChild(el("li", "muted", "Sin alarmas"));
    all.forEach(function (a) {
      var li = el("li", (a.isActive ? "active " : "cleared ") + a.severity.toLowerCase());
      li.dataset.kind = a.kind;
      li.appendChild(el("b", null, (KIND_LABELS[a.kind] || a.kind) + (a.severity === "CRITICAL" ? " (crítica)" : "")));
      li.appendChild(document.createTextNode(" — " + a.message + " "));
      li.appendChild(el("div", "when", "desde " + time(a.raisedAt) + (a.clearedAt ? " · resuelta " + time(a.clearedAt) : " · activa")));
      history.appendChild(li);
    });
  }

  // ---- live: graphql-transport-ws ----
  // Where a (re)subscription starts. Today `since`: an instant, looked back by a margin, the overlap dropped
  // by id in addReadings. When vitalsRecorded takes `after: <sequence>`, return {after: lastSequence} here.
  function resumeVariables() {
    if (!ordered.length) return { since: "1970-01-01T00:00:00Z" };
    var newest = ordered[ordered.length - 1]._t;
    return { since: new Date(newest - RESUME_MARGIN_MS).toISOString() };
  }

  function send(message) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message)); }

  function subscribe(kind) {
    var id = kind + "-" + (++opSeq);
    ops[id] = kind;
    var variables = kind === "vitals" ? Object.assign({ log: logId }, resumeVariables()) : { log: logId };
    send({ id: id, type: "subscribe", payload: { query: kind === "vitals" ? S_VITALS : S_ALARMS, variables: variables } });
  }

  function connect() {
    if (!logId || !token) return;
    var generation = ++wsGeneration;
    setStatus("wait", connects ? "Reconectando…" : "Conectando…");
    var socket = new WebSocket(WS_URL, PROTOCOL);
    ws = socket;
    ops = {};
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer " + token } }));
    };
    socket.onmessage = function (event) {
      if (generation !== wsGeneration) return;
      var message = JSON.parse(event.data);
      switch (message.type) {
        case "connection_ack":
          retries = 0;
          connects++;
          setStatus("live", "En vivo");
          subscribe("alarms");
          subscribe("vitals");
          refreshLog(); // alarms raised or cleared while disconnected, and the phases
          break;
        case "ping":
          send({ type: "pong" });
          break;
        case "next":
          onNext(message.id, message.payload);
          break;
        case "error":
          onError(message.id, message.payload);
          break;
        case "complete": // the server ended a subscription: take it up again, from where the chart is
          if (ops[message.id]) { var kind = ops[message.id]; delete ops[message.id]; resubscribeLater(kind, generation); }
          break;
      }
    };
    socket.onclose = function (event) {
      if (generation !== wsGeneration) return;
      ws = null;
      if (event.code === 4401 || event.code === 4403) { signOut("El servidor rechazó el token."); return; }
      scheduleReconnect();
    };
  }

  // Backoff with jitter (half to one and a half times the step): after a server restart every monitor of
  // the clinic reconnects, and without it they would all come back in the same instants, again and again.
  function jittered(ms) { return Math.round(ms * (0.5 + Math.random())); }

  function scheduleReconnect() {
    var delay = jittered(Math.min(10000, 500 * Math.pow(2, retries++)));
    setStatus("wait", "Conexión perdida · reconectando en " + Math.max(1, Math.round(delay / 1000)) + " s");
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
  }

  function onNext(id, payload) {
    var kind = ops[id];
    if (!kind || !payload) return;
    if (payload.errors && payload.errors.length) return onError(id, payload.errors);
    resubscribeDelay[kind] = 1000;
    if (kind === "vitals" && payload.data && payload.data.vitalsRecorded) addReadings([payload.data.vitalsRecorded]);
    if (kind === "alarms" && payload.data && payload.data.anesthesiaAlarms) {
      mergeAlarm(payload.data.anesthesiaAlarms.alarm);
      renderAlarms();
    }
  }

  function onError(id, errors) {
    var kind = ops[id];
    delete ops[id];
    var code = errors && errors[0] && errors[0].extensions && errors[0].extensions.code;
    if (code === "UNAUTHENTICATED") { signOut("La sesión expiró: ingrese un token nuevo."); return; }
    if (code === "NOT_FOUND" || code === "FORBIDDEN") { setStatus("off", "Sin acceso a este registro"); return; }
    // SLOW_CONSUMER and the like: subscribe again from where the chart is; the overlap is dropped by id.
    if (kind) resubscribeLater(kind, wsGeneration);
  }

  var resubscribeDelay = { vitals: 1000, alarms: 1000 };
  function resubscribeLater(kind, generation) {
    var delay = resubscribeDelay[kind];
    resubscribeDelay[kind] = Math.min(30000, delay * 2); // a stream that keeps ending is retried less often
    setTimeout(function () { if (generation === wsGeneration && ws) subscribe(kind); }, jittered(delay));
  }

  // For tests and for staff who want to check: what is on the chart, never the token.
  window.vetqlMonitor = {
    readingIds: function () { return ordered.map(function (r) { return r.id; }); },
    activeAlarms: function () { return Array.from(alarms.values()).filter(function (a) { return a.isActive; }).map(function (a) { return a.kind; }); },
    connects: function () { return connects; },
  };

  show("signin");
})();
