// The /dashboard page: asks for the admin token once (sessionStorage), polls
// GET /api/v1/dashboard every second with it, and draws what the node answers.
"use strict";

(() => {
  const POLL_MS = 1000;
  const TOKEN_KEY = "coordinator.adminToken";
  const DIALECTS = ["companion", "gateway", "voice"];
  const OUTCOMES = ["routed", "buffered", "dropped_overflow", "dropped_expired", "rerouted"];
  const $ = (id) => document.getElementById(id);

  const windows = {
    sessions: new Charts.Window(DIALECTS),
    in: new Charts.Window(DIALECTS),
    out: new Charts.Window(DIALECTS),
    broadcasts: new Charts.Window(["broadcasts"]),
    latency: new Charts.Window(["p50", "p99"]),
    commands: new Charts.Window(OUTCOMES),
  };
  let charts = null;
  let previous = null; // the last snapshot, for rates
  let timer = null;
  let generation = 0; // bumped by stop(): an answer to an older poll is dropped
  let lastOk = 0;

  // -- token ----------------------------------------------------------------------------

  function showLogin(message) {
    stop();
    $("board").hidden = true;
    $("sign-out").hidden = true;
    $("login").hidden = false;
    const err = $("login-error");
    err.hidden = !message;
    err.textContent = message || "";
    setStatus(message ? "wrong token" : "not signed in", message ? "bad" : "");
    $("token").value = "";
    $("token").focus();
  }

  function signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    $("login").hidden = true;
    setStatus("connecting…", "");
    poll();
  }

  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim();
    if (token) signIn(token);
  });
  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin("");
  });

  // -- polling --------------------------------------------------------------------------

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    generation++;
  }

  async function poll() {
    stop();
    const mine = generation;
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return showLogin("");
    let res;
    let snap = null;
    let standby = null; // a standby node (cluster mode) answers 503 with where the active is
    try {
      res = await fetch("/api/v1/dashboard", {
        headers: { Authorization: "Bearer " + token },
        cache: "no-store",
        signal: AbortSignal.timeout(5 * POLL_MS), // a node that hangs is retried, not waited on
      });
      if (res.ok) snap = await res.json();
      else if (res.status === 503) standby = await res.json().catch(() => null);
    } catch (e) {
      if (mine !== generation) return;
      setStatus("node unreachable", "bad");
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    if (mine !== generation) return; // signed out meanwhile
    if (res.status === 401 || res.status === 403) {
      sessionStorage.removeItem(TOKEN_KEY);
      const why = await res.json().then((b) => b.error).catch(() => "");
      return showLogin(`Wrong admin token: the node answered ${res.status}` + (why ? ` (${why})` : "") + ".");
    }
    if (!snap && standby && standby.status === "standby") {
      $("role").textContent = "standby";
      setStatus(`standby node: the active node is ${standby.active || "not known yet"}`, "bad");
    } else if (!snap) {
      setStatus(`node answered ${res.status}`, "bad");
    } else {
      lastOk = Date.now();
      render(snap);
      setStatus("live", "ok");
    }
    timer = setTimeout(poll, POLL_MS);
  }

  function setStatus(text, kind) {
    const s = $("status");
    s.textContent = text;
    s.className = "status " + (kind || "");
  }

  // Polls that stop answering show up as a stale page, not as frozen numbers.
  setInterval(() => {
    if (lastOk && !$("board").hidden && Date.now() - lastOk > 5 * POLL_MS)
      setStatus(`stale: last data ${duration(Date.now() - lastOk)} ago`, "bad");
  }, POLL_MS);

  // -- rendering ------------------------------------------------------------------------

  function render(snap) {
    $("board").hidden = false;
    $("sign-out").hidden = false;
    if (!charts) charts = makeCharts();
    renderCounters(snap);
    renderSeries(snap);
    renderShards(snap.shards);
    renderServices(snap.services, snap.at);
    renderMusic(snap.music, snap.at);
    renderCloses(snap.closes);
  }

  function makeCharts() {
    const pct = { labels: { p50: "p50", p99: "p99" }, digits: 3, minMax: 0.1 };
    return [
      new Charts.Chart($("chart-sessions"), windows.sessions, { digits: 0 }),
      new Charts.Chart($("chart-in"), windows.in),
      new Charts.Chart($("chart-out"), windows.out),
      new Charts.Chart($("chart-broadcasts"), windows.broadcasts),
      new Charts.Chart($("chart-latency"), windows.latency, pct),
      new Charts.Chart($("chart-commands"), windows.commands),
    ];
  }

  function renderCounters(snap) {
    const role = snap.cluster?.mode === "single" || !snap.cluster?.role ? "single node" : snap.cluster.role;
    $("role").textContent = role;
    $("uptime").textContent = "up " + duration(snap.uptimeMs);
    for (const d of DIALECTS) $("sessions-" + d).textContent = num(snap.sessions[d]);
    $("voice-clients").textContent = num(snap.voiceClients);
    $("music-playing").textContent = num(snap.music.playing);
    $("broadcasts").textContent = num(snap.broadcasts);
    $("commands-routed").textContent = num(snap.commands.routed);
    $("commands-dropped").textContent = num(snap.commands.dropped_overflow + snap.commands.dropped_expired);
  }

  function renderSeries(snap) {
    // A repeated snapshot (another page's poll of the same window) adds no point.
    if (previous && snap.at <= previous.at) return;
    const t = snap.at / 1000;
    windows.sessions.push(t, snap.sessions);
    // Rates need two snapshots.
    if (previous) {
      const dt = (snap.at - previous.at) / 1000;
      const rates = (now, before, names) =>
        Object.fromEntries(names.map((n) => [n, Charts.rate(now[n], before[n], dt)]));
      windows.in.push(t, rates(snap.messagesIn, previous.messagesIn, DIALECTS));
      windows.out.push(t, rates(snap.messagesOut, previous.messagesOut, DIALECTS));
      windows.broadcasts.push(t, { broadcasts: Charts.rate(snap.broadcasts, previous.broadcasts, dt) });
      windows.commands.push(t, rates(snap.commands, previous.commands, OUTCOMES));
      const h = snap.broadcastSeconds;
      const delta = h.buckets.map((c, i) => c - previous.broadcastSeconds.buckets[i]);
      const ms = (q) => {
        const v = Charts.quantile(h.bounds, delta, q);
        return v == null ? null : v * 1000;
      };
      windows.latency.push(t, { p50: ms(0.5), p99: ms(0.99) });
    }
    previous = snap;
    charts.forEach((c) => c.redraw());
  }

  function renderShards(plan) {
    const waiting = new Map();
    for (const b of plan.buckets || [])
      for (const w of b.waiting) waiting.set(w.shard, { bucket: b.bucket, inMs: b.nextGrantInMs, session: w.session });
    rows("shards", plan.shards, (s) => {
      const w = waiting.get(s.shard);
      const identify = w ? `waiting (bucket ${w.bucket}, next grant in ${duration(w.inMs)})` : "–";
      const state = s.state === "held" ? `held · back in ${duration(s.releaseInMs)}` : s.state;
      return { key: s.shard, cells: [s.shard, badge(state, s.state), s.session ?? "–", identify] };
    });
    const pending = [...waiting.keys()].length;
    $("shards-summary").textContent =
      `${plan.shardCount} shard(s) · ${plan.grants} identify grant(s) · ${pending} waiting`;
  }

  function renderServices(services, at) {
    rows("services", services, (s) => ({
      key: s.id,
      cells: [s.id, s.type, bytes(s.heapUsed), duration(at - s.startTime), s.shards ? s.shards.join(", ") : "–"],
    }));
  }

  function renderMusic(music, at) {
    rows("music", music.shards, (s) => ({
      key: s.shardId,
      cells: [s.shardId, num(s.playingMusic), duration(Math.max(0, at - s.updatedAt)) + " ago"],
    }));
  }

  function renderCloses(closes) {
    const xs = closes.filter((c) => c.count > 0).sort((a, b) => b.count - a.count);
    rows("closes", xs, (c) => ({ key: `${c.dialect}-${c.code}`, cells: [c.dialect, c.code, num(c.count)] }));
  }

  /// Replaces the body of table `id` with one row per item (an empty-state row when none).
  function rows(id, items, toRow) {
    const body = $(id).tBodies[0];
    const cols = $(id).tHead.rows[0].cells.length;
    const out = document.createDocumentFragment();
    for (const item of items) {
      const r = toRow(item);
      const tr = document.createElement("tr");
      tr.dataset.key = r.key;
      for (const c of r.cells) {
        const td = document.createElement("td");
        if (c instanceof Node) td.append(c);
        else td.textContent = String(c);
        tr.append(td);
      }
      out.append(tr);
    }
    if (items.length === 0) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      const td = document.createElement("td");
      td.colSpan = cols;
      td.textContent = "none";
      tr.append(td);
      out.append(tr);
    }
    body.replaceChildren(out);
  }

  function badge(text, kind) {
    const s = document.createElement("span");
    s.className = "pill " + kind;
    s.textContent = text;
    return s;
  }

  function num(v) {
    return v == null ? "–" : Number(v).toLocaleString("en-US");
  }

  function bytes(n) {
    if (!(n > 0)) return "0 B";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  }

  function duration(ms) {
    let s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d) return `${d}d ${h}h`;
    if (h) return `${h}h ${m}m`;
    if (m) return `${m}m ${s}s`;
    return `${s}s`;
  }

  // -- start ----------------------------------------------------------------------------

  if (sessionStorage.getItem(TOKEN_KEY)) signIn(sessionStorage.getItem(TOKEN_KEY));
  else showLogin("");
})();
