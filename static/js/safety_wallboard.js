/* 안심 on the wallboard: the "open cases" strip, with the time since each person was last seen.
 *
 * From the wallboard socket (owned by wallboard.js, handed on as
 * "wallboard-socket:message"): the snapshot's `stats.safety_cases`, then
 * `safety.case_opened`, `safety.case_updated`, `safety.case_closed` ({"case": {...}}).
 * A closed or cancelled case leaves the strip; the strip hides when none is open.
 */
(function () {
  "use strict";
  const strip = document.getElementById("wb-safety");
  if (!strip || !window.Dasan) return;
  const { t } = window.Dasan;
  const english = document.documentElement.lang === "en";
  const list = document.getElementById("wb-safety-list");
  const cases = new Map();

  function since(iso) {
    const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? h + ":" + pad(m) + ":" + pad(r) : m + ":" + pad(r);
  }

  function render() {
    const shown = [...cases.values()].sort((a, b) => (a.opened_at < b.opened_at ? 1 : -1));
    strip.classList.toggle("hidden", shown.length === 0);
    document.getElementById("wb-safety-count").textContent = String(shown.length);
    list.replaceChildren(...shown.map((c) => {
      const li = document.createElement("li");
      li.dataset.caseId = c.id;
      li.dataset.status = c.status;
      li.className = c.status === "found" ? "is-found" : "";
      const what = document.createElement("strong");
      what.textContent = (c.status === "found" ? t("Found:") + " " : "") + (english ? c.description_en : c.description_ko);
      const seen = document.createElement("span");
      seen.className = "wb-safety-seen";
      seen.textContent = interpolate(t("last seen at %s"), [c.last_seen_place]) + " · ";
      const clock = document.createElement("span");
      clock.className = "wb-safety-since";
      clock.dataset.since = c.last_seen_at;
      clock.textContent = since(c.last_seen_at);
      li.append(what, " ", seen, clock);
      return li;
    }));
  }

  function handle(message) {
    if (message.type === "wallboard.snapshot") {
      cases.clear();
      (message.stats.safety_cases || []).forEach((c) => cases.set(c.id, c));
    } else if (message.type === "safety.case_opened" || message.type === "safety.case_updated") {
      cases.set(message.data.case.id, message.data.case);
    } else if (message.type === "safety.case_closed") {
      cases.delete(message.data.case.id);
    } else {
      return;
    }
    render();
  }

  document.addEventListener("wallboard-socket:message", (event) => handle(event.detail || {}));
  if (window.DasanWallboardSnapshot) handle(window.DasanWallboardSnapshot); // it came before this script ran
  setInterval(() => {
    list.querySelectorAll(".wb-safety-since").forEach((node) => { node.textContent = since(node.dataset.since); });
  }, 1000);
})();
