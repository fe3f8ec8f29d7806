/* The live wallboard: figures over /ws/wallboard/ (snapshot, then updates).
 *
 * Messages: {"type": "wallboard.snapshot", "stats": {...}} on every (re)connect, then
 * {"type": "wallboard.updated", "stats": {...}}; every message carries all figures, so
 * the board is whole after any one of them. Dasan.liveSocket reconnects with
 * backoff; a reconnect brings a fresh snapshot. If no push arrives for a
 * while (Redis down, say), the board fetches the figures over HTTP.
 * Waits and times in state tick locally between pushes.
 *
 * Other apps' messages on this socket ({"type": ..., "data": {...}}) are handed
 * on as a "wallboard-socket:message" DOM event (the safety app's open-cases
 * strip listens). This script handles `referral.urgent` and `call.urgent`: the
 * "urgent open" tile counts pressing referrals still open and open urgent calls
 * (urgent, of this operating day, unresolved or awaiting a call back: see
 * inquiries/urgent_calls.py), and lists them with the emergency hand-offs of the
 * last hour (`stats.urgent_referrals` and `stats.urgent_calls` in the snapshot,
 * then one message per change).
 */
(function () {
  "use strict";
  const root = document.getElementById("wallboard");
  if (!root) return;
  const { liveSocket, api, t } = window.Dasan;
  const english = document.documentElement.lang === "en";
  const STALE_AFTER_MS = 20000;

  const STATE_LABELS = {
    offline: t("Offline"), available: t("Available"), ringing: t("Ringing"),
    on_call: t("On call"), after_call_work: t("After-call work"), break: t("Break"),
  };
  const STATE_ORDER = ["available", "ringing", "on_call", "after_call_work", "break"];

  let stats = null;
  let clockOffset = 0; // server time - browser time, so ticking matches the server
  let lastMessageAt = 0;
  let chart = null;
  let chartKey = "";
  const urgent = new Map(); // referral id -> its latest referral.urgent payload
  const urgentCalls = new Map(); // call id -> its latest call.urgent payload, while open
  const URGENT_OPEN = ["new", "accepted", "scheduled"];
  const HANDOFF_SHOWN_MS = 60 * 60 * 1000;

  const $ = (id) => document.getElementById(id);
  function setText(id, text) { const node = $(id); if (node && node.textContent !== text) node.textContent = text; }
  function percent(value, digits) { return value == null ? "–" : (value * 100).toFixed(digits == null ? 0 : digits) + "%"; }
  function duration(seconds) {
    if (seconds == null) return "–";
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? h + ":" + pad(m) + ":" + pad(r) : m + ":" + pad(r);
  }
  function seconds(value) { return value == null ? "–" : interpolate(t("%s s"), [Math.round(value)]); }
  function serverNow() { return Date.now() + clockOffset; }
  function since(iso) { return iso ? (serverNow() - new Date(iso).getTime()) / 1000 : null; }
  function name(entry) { return english ? entry.name_en : entry.name_ko; }

  function renderTiles(s) {
    setText("v-calls_waiting", String(s.calls_waiting));
    const queues = Object.entries(s.calls_waiting_by_queue || {}).map(([q, n]) => q + " " + n).join(" · ");
    setText("v-calls_waiting_by_queue", queues);
    setText("v-service_level", percent(s.service_level));
    setText("v-asa_seconds", seconds(s.asa_seconds));
    setText("v-aht_seconds", duration(s.aht_seconds));
    setText("v-abandon_rate", percent(s.abandon_rate, 1));
    setText("v-abandoned_today", interpolate(t("%s abandoned"), [s.abandoned_today]));
    setText("v-offered_today", String(s.offered_today));
    setText("v-answered_today", interpolate(t("%s answered"), [s.answered_today]));
    setText("v-blocked_today", interpolate(t("%s blocked numbers refused"), [s.blocked_today || 0]));
    setText("v-occupancy", percent(s.occupancy));
    setText("v-satisfaction", s.satisfaction == null ? "–" : s.satisfaction.toFixed(1));
    setText("v-erlang-required", String(s.erlang.required));
    setText("v-erlang-staffed", String(s.erlang.staffed));
    setText("v-erlang-detail", interpolate(t("%s calls/h × AHT %s → predicted service level %s"),
      [Math.round(s.erlang.arrival_rate_per_hour), duration(s.erlang.aht_seconds), percent(s.erlang.predicted_service_level)]));
    setText("v-erlang-plan", interpolate(t("Occupancy at most %s · with %s shrinkage, roster %s"),
      [percent(s.erlang.max_occupancy), percent(s.erlang.shrinkage), s.erlang.scheduled]));
    const overdue = s.agents_after_call_work_overdue || 0;
    setText("v-erlang-overdue", overdue ? interpolate(t("%s in after-call work too long (not counted)"), [overdue]) : "");
    const missed = new Set(s.missed || []);
    root.querySelectorAll(".wb-tile").forEach((tile) => {
      const bad = missed.has(tile.dataset.key);
      tile.classList.toggle("wb-missed", bad);
      tile.setAttribute("data-missed", bad ? "true" : "false");
    });
  }

  function renderShift(s) {
    const bar = $("wb-shiftbar");
    const shift = s.shift;
    if (!shift) {
      setText("wb-shift", t("No shift running"));
      bar.textContent = t("No shift is running now.");
      return;
    }
    const hhmm = (iso) => window.Dasan.formatClock(iso);
    setText("wb-shift", (english ? shift.name_en : shift.name_ko) + " " + hhmm(shift.starts) + "–" + hhmm(shift.ends));
    bar.textContent = interpolate(
      t("This shift: %s offered, %s answered, %s abandoned, service level %s, ASA %s, AHT %s · rostered %s, signed in %s"),
      [shift.offered, shift.answered, shift.abandoned, percent(shift.service_level), seconds(shift.asa_seconds),
        duration(shift.aht_seconds), shift.rostered, shift.signed_in]);
  }

  function renderCategories(s) {
    const list = $("wb-categories");
    const rows = (s.calls_by_category || []).filter((c) => c.slug);
    const max = Math.max(1, ...rows.map((c) => c.today));
    list.replaceChildren(...rows.map((c) => {
      const li = document.createElement("li");
      li.dataset.slug = c.slug;
      li.className = c.surge ? "wb-surge" : "";
      const label = document.createElement("span");
      label.className = "wb-bar-label";
      label.textContent = name(c);
      const track = document.createElement("span");
      track.className = "wb-bar-track";
      const fill = document.createElement("span");
      fill.className = "wb-bar-fill";
      fill.style.width = (100 * c.today / max).toFixed(1) + "%";
      track.appendChild(fill);
      const count = document.createElement("span");
      count.className = "wb-bar-count";
      count.textContent = String(c.today);
      li.append(label, track, count);
      if (c.surge) {
        const badge = document.createElement("span");
        badge.className = "badge badge-urgent wb-surge-badge";
        badge.textContent = interpolate(t("Surge: %s in 15 min"), [c.last_15_minutes]);
        li.appendChild(badge);
      }
      return li;
    }));
  }

  function renderAgents(s) {
    const body = $("wb-agents");
    const agents = s.agent_list || [];
    $("wb-agents-empty").classList.toggle("hidden", agents.length > 0);
    body.replaceChildren(...agents.map((a) => {
      const li = document.createElement("li");
      li.dataset.username = a.username;
      li.className = "wb-agent wb-agent-" + a.state + (a.overdue ? " wb-agent-overdue" : "");
      const who = document.createElement("span");
      who.className = "wb-agent-name";
      who.textContent = a.name;
      const badge = document.createElement("span");
      badge.className = "badge wb-state wb-state-" + a.state;
      badge.textContent = STATE_LABELS[a.state] || a.state;
      const time = document.createElement("span");
      time.className = "wb-ticking";
      time.dataset.since = a.since;
      const answered = document.createElement("span");
      answered.className = "wb-agent-answered";
      answered.title = t("Answered today");
      answered.textContent = "✓ " + a.answered_today;
      li.append(who, badge, time, answered);
      if (a.overdue) {
        const late = document.createElement("span");
        late.className = "badge badge-urgent";
        late.textContent = t("Too long: not counted as staffed");
        li.appendChild(late);
      }
      return li;
    }));
    setText("wb-agent-counts", STATE_ORDER.map((st) => STATE_LABELS[st] + " " + (s.agents[st] || 0)).join(" · "));
  }

  function renderChart(s) {
    const key = JSON.stringify([s.calls_per_hour, s.calls_per_hour_last_week]);
    if (key === chartKey || !window.Chart) return;
    chartKey = key;
    // The operating day runs from its start (08:00) through the night: the hours in that order.
    const first = s.day_starts ? parseInt(window.Dasan.formatClock(s.day_starts).slice(0, 2), 10) % 24 : 0; // "08:00" -> 8
    const order = Array.from({ length: 24 }, (_, n) => (first + n) % 24);
    const labels = order.map((h) => String(h).padStart(2, "0"));
    const today = order.map((h) => s.calls_per_hour[h]);
    const lastWeek = order.map((h) => (s.calls_per_hour_last_week || [])[h]);
    if (!chart) {
      // the canvas does not inherit the page's font: give it Pretendard for Hangul
      window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      chart = new window.Chart($("wb-chart"), {
        type: "bar",
        data: {
          labels,
          datasets: [
            { label: t("Today"), data: today, backgroundColor: "#0b5cad" },
            { label: t("Same weekday last week"), data: lastWeek, type: "line", borderColor: "#a35b00", backgroundColor: "#a35b00", pointRadius: 2, tension: 0.25 },
          ],
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { legend: { labels: { font: { size: 15 } } } },
          scales: { x: { ticks: { font: { size: 14 } } }, y: { beginAtZero: true, ticks: { font: { size: 14 }, precision: 0 } } },
        },
      });
    } else {
      chart.data.labels = labels;
      chart.data.datasets[0].data = today;
      chart.data.datasets[1].data = lastWeek;
      chart.update("none");
    }
  }

  function urgentShown(entry) {
    if (URGENT_OPEN.includes(entry.status)) return true;
    return entry.status === "transferred" && serverNow() - new Date(entry.created_at).getTime() < HANDOFF_SHOWN_MS;
  }

  function urgentCallShown(entry) {
    return entry.open && serverNow() < new Date(entry.open_until).getTime(); // the operating day ended
  }

  function renderUrgent() {
    const list = $("v-urgent_open_list");
    if (!list) return;
    urgentCalls.forEach((entry, id) => { if (!urgentCallShown(entry)) urgentCalls.delete(id); });
    const referrals = [...urgent.values()].filter(urgentShown);
    const calls = [...urgentCalls.values()];
    const openCount = referrals.filter((e) => URGENT_OPEN.includes(e.status)).length + calls.length;
    setText("v-urgent_open", String(openCount));
    const tile = root.querySelector('[data-key="urgent_open"]');
    tile.classList.toggle("wb-missed", referrals.length + calls.length > 0);
    const shown = [
      ...referrals.map((entry) => ({ at: entry.created_at, entry, call: false })),
      ...calls.map((entry) => ({ at: entry.started_at, entry, call: true })),
    ].sort((a, b) => (a.at < b.at ? 1 : -1));
    list.replaceChildren(...shown.slice(0, 4).map(({ at, entry, call }) => {
      const li = document.createElement("li");
      if (call) {
        li.dataset.callId = entry.id;
        li.dataset.resolution = entry.resolution;
        const what = entry.resolution === "callback_needed" ? t("call back due") : t("unresolved");
        li.textContent = t("Urgent call") + " · " + name({ name_ko: entry.category_name_ko, name_en: entry.category_name_en }) + " · " + what + " · ";
      } else {
        li.dataset.referralId = entry.id;
        li.dataset.status = entry.status;
        const state = entry.status === "transferred" ? t("handed off") : t("open");
        li.textContent = name({ name_ko: entry.service_name_ko, name_en: entry.service_name_en }) + " · " + state + " · ";
      }
      const age = document.createElement("span");
      age.className = "wb-ticking";
      age.dataset.since = at;
      age.textContent = duration(since(at)); // then tick() moves it on each second
      li.append(age);
      return li;
    }));
  }

  function urgentUpdate(entry) {
    urgent.set(entry.id, entry);
    if (!urgentShown(entry)) urgent.delete(entry.id);
    renderUrgent();
  }

  function urgentCallUpdate(entry) {
    if (urgentCallShown(entry)) urgentCalls.set(entry.id, entry);
    else urgentCalls.delete(entry.id);
    renderUrgent();
  }

  function tick() {
    if (stats) {
      const wait = stats.oldest_waiting_since ? since(stats.oldest_waiting_since) : 0;
      setText("v-longest_wait_seconds", duration(wait));
      const tile = root.querySelector('[data-key="longest_wait_seconds"]');
      const late = wait > stats.targets.longest_wait_seconds;
      tile.classList.toggle("wb-missed", late);
      tile.setAttribute("data-missed", late ? "true" : "false");
      root.querySelectorAll(".wb-ticking").forEach((td) => { td.textContent = duration(since(td.dataset.since)); });
    }
    setText("wb-clock", window.Dasan.formatClock(serverNow(), true));
  }

  function render(s) {
    stats = s;
    clockOffset = new Date(s.generated_at).getTime() - Date.now();
    renderTiles(s);
    renderShift(s);
    renderCategories(s);
    renderAgents(s);
    renderChart(s);
    tick();
    root.dataset.generatedAt = s.generated_at;
  }

  function setLive(state) {
    const live = $("wb-live");
    const reconnecting = state === "reconnecting";
    $("wb-reconnecting").classList.toggle("hidden", !reconnecting);
    $("wb-forbidden").classList.toggle("hidden", state !== "forbidden");
    root.dataset.liveState = state;
    live.className = "badge " + (state === "open" ? "badge-ok" : "badge-warn");
    live.textContent = state === "open" ? t("Live") : state === "forbidden" ? t("No access") : reconnecting ? t("Reconnecting…") : t("Connecting…");
  }

  liveSocket(root.dataset.socket, {
    onState: setLive,
    onMessage(message) {
      if (message.type === "wallboard.snapshot" || message.type === "wallboard.updated") {
        lastMessageAt = Date.now();
        render(message.stats);
      }
      if (message.type === "wallboard.snapshot" && (message.stats.urgent_referrals || message.stats.urgent_calls)) {
        urgent.clear();
        urgentCalls.clear();
        (message.stats.urgent_referrals || []).forEach((entry) => urgent.set(entry.id, entry));
        (message.stats.urgent_calls || []).forEach((entry) => urgentCalls.set(entry.id, entry));
        renderUrgent();
      } else if (message.type === "referral.urgent") {
        urgentUpdate(message.data);
      } else if (message.type === "call.urgent") {
        urgentCallUpdate(message.data);
      }
      if (message.type === "wallboard.snapshot") window.DasanWallboardSnapshot = message; // for scripts that load after it
      document.dispatchEvent(new CustomEvent("wallboard-socket:message", { detail: message }));
    },
  });

  // Pushes stop when the channel layer is down though the socket stays open:
  // then read the figures over HTTP until pushes come back.
  setInterval(async () => {
    if (Date.now() - lastMessageAt < STALE_AFTER_MS) return;
    const result = await api(root.dataset.statsUrl);
    if (result.ok) { lastMessageAt = Date.now(); render(result.data); }
  }, 5000);
  setInterval(tick, 1000);
  setInterval(renderUrgent, 30000); // hand-offs leave the tile after an hour, urgent calls when the day ends
})();
