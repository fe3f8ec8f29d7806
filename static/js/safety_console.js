/* 안심 on the agent console: the floor's missing-person alerts, opening a case, sightings.
 *
 * Alerts come over the agent's own socket (/ws/agent/, owned by console_queue.js,
 * which hands each message on as an "agent-socket:message" DOM event): the
 * snapshot's `safety_cases` and `safety_acknowledged`, then `safety.case_opened`,
 * `safety.case_updated` and `safety.case_closed` ({"case": {...}}). A banner stays
 * until the agent acknowledges it (button, Alt+K, or Esc on the banner); the
 * acknowledgement is recorded by the server, for the status the banner showed:
 * when the person is found the banner comes back (new information) until that
 * is acknowledged too. Closing a case clears its banner.
 *
 * The panel opens a case for the call being logged (sent when the call is saved,
 * as the referral panel does) or the call just saved, and links the call as a
 * sighting of a case found by a description (GET /api/safety/search).
 */
(function () {
  "use strict";
  const alertList = document.getElementById("safety-alert-list");
  if (!alertList || !window.Dasan) return;
  const { api, showErrors, clearErrors, toast, t } = window.Dasan;
  const english = document.documentElement.lang === "en";
  const template = document.getElementById("safety-alert-template");
  const cases = new Map(); // id -> case payload (open or found)
  const acknowledged = new Set(); // "id:status": the banner of that case in that status was dismissed
  const ackKey = (id, status) => id + ":" + status;
  const isAcknowledged = (c) => acknowledged.has(ackKey(c.id, c.status));

  function description(c) { return english ? c.description_en : c.description_ko; }
  function ago(iso) {
    const minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
    if (minutes < 60) return interpolate(t("%s min ago"), [minutes]);
    return interpolate(t("%s h %s min ago"), [Math.floor(minutes / 60), minutes % 60]);
  }
  function seenText(c) {
    return interpolate(t("last seen at %s, %s"), [c.last_seen_place, ago(c.last_seen_at)]);
  }

  function renderAlerts() {
    const shown = [...cases.values()].filter((c) => !isAcknowledged(c));
    const existing = new Map([...alertList.children].map((node) => [Number(node.dataset.caseId), node]));
    existing.forEach((node, id) => { if (!shown.some((c) => c.id === id)) node.remove(); });
    shown.forEach((c) => {
      let node = existing.get(c.id);
      if (!node) {
        node = template.content.firstElementChild.cloneNode(true);
        node.dataset.caseId = c.id;
        node.querySelector(".safety-alert-ack").addEventListener("click", () => acknowledge(c.id));
        node.addEventListener("keydown", (event) => {
          if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); acknowledge(c.id); }
        });
        alertList.prepend(node);
      }
      node.dataset.status = c.status;
      node.classList.toggle("is-found", c.status === "found");
      node.querySelector(".safety-alert-title").textContent = c.status === "found" ? t("Found:") : t("Missing person:");
      node.querySelector(".safety-alert-text").textContent = description(c);
      node.querySelector(".safety-alert-seen").textContent = seenText(c);
      node.querySelector(".safety-alert-link").href = "/safety/cases/" + c.id + "/";
    });
  }

  async function acknowledge(id) {
    const c = cases.get(id);
    if (!c) return;
    const key = ackKey(id, c.status);
    acknowledged.add(key);
    renderAlerts();
    const result = await api("/api/safety/cases/" + id + "/acknowledge/", { method: "POST", body: { status: c.status } });
    if (!result.ok) { acknowledged.delete(key); renderAlerts(); toast(result.data.message); return; }
    const next = alertList.querySelector(".safety-alert-ack");
    if (next && alertList.contains(document.activeElement)) next.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey && (event.code === "KeyK" || event.key === "k" || event.key === "K")) {
      const first = alertList.firstElementChild;
      if (first) { event.preventDefault(); acknowledge(Number(first.dataset.caseId)); }
    }
  });

  document.addEventListener("agent-socket:message", (event) => {
    const message = event.detail || {};
    if (message.type === "agent.snapshot") {
      cases.clear();
      (message.data.safety_cases || []).forEach((c) => cases.set(c.id, c));
      // acknowledged in the status each case is in now
      (message.data.safety_acknowledged || []).forEach((id) => { if (cases.has(id)) acknowledged.add(ackKey(id, cases.get(id).status)); });
      renderAlerts();
      renderOpenCases();
    } else if (message.type === "safety.case_opened" || message.type === "safety.case_updated") {
      cases.set(message.data.case.id, message.data.case);
      renderAlerts();
      renderOpenCases();
    } else if (message.type === "safety.case_closed") {
      cases.delete(message.data.case.id);
      renderAlerts();
      renderOpenCases();
    }
  });
  setInterval(renderAlerts, 30000); // "12 min ago" moves on

  // --- the panel: open a case, link a sighting ----------------------------------------
  const panel = document.getElementById("safety-panel");
  if (!panel) return;
  const form = document.getElementById("safety-form");
  const errorBox = document.getElementById("safety-form-error");
  const target = document.getElementById("safety-target");
  const details = document.getElementById("safety-open");
  const query = document.getElementById("sighting-q");
  const results = document.getElementById("sighting-results");
  const searchStatus = document.getElementById("sighting-status");
  const linkTemplate = document.getElementById("sighting-link-template");
  let callId = null;
  let pendingCase = false;
  let pendingSighting = null; // {caseId, form}
  let searchTimer = null;

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  function localNow() {
    const d = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 16);
  }
  function isoFromLocal(value) { return value ? new Date(value).toISOString() : ""; }

  function showTarget() {
    target.textContent = callId
      ? interpolate(t("For call #%s."), [callId])
      : t("Fill this in while you log the call: the case opens when the call is saved. Or save the call first.");
  }

  async function openCase() {
    clearErrors(form, errorBox);
    if (!callId) {
      pendingCase = true;
      target.textContent = t("The case opens when the call is saved.");
      window.DasanConsole.form.elements.summary.focus();
      return;
    }
    pendingCase = false;
    const body = new FormData();
    body.append("call", callId);
    ["kind", "name", "age", "sex", "height_cm", "build", "clothing", "marks", "last_seen_place", "guardian_number",
      "incident_number"].forEach((name) => { if (form.elements[name].value !== "") body.append(name, form.elements[name].value); });
    body.append("last_seen_at", isoFromLocal(form.elements.last_seen_at.value));
    const consent = form.querySelector('input[name="consent"]:checked');
    if (consent) body.append("consent", consent.value === "yes" ? "true" : "false");
    const photo = form.elements.photo.files[0];
    if (photo) body.append("photo", photo);
    const button = document.getElementById("safety-submit");
    button.disabled = true;
    let response, data;
    try {
      response = await fetch("/api/safety/cases/", {
        method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": cookie("csrftoken") },
      });
      data = await response.json().catch(() => ({ message: t("The request failed.") }));
    } catch (err) {
      response = { ok: false };
      data = { message: t("The server cannot be reached. Check the connection and try again.") };
    }
    button.disabled = false;
    if (!response.ok) {
      details.open = true;
      showErrors(form, errorBox, data);
      return;
    }
    toast(interpolate(t("Case #%s opened: the floor is alerted."), [data.id]));
    acknowledged.add(ackKey(data.id, "open")); // the agent who opened it needs no banner
    form.reset();
    details.open = false;
    renderAlerts();
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); openCase(); });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); openCase(); }
  });
  // Alt+M: report a missing person from anywhere in the console.
  document.addEventListener("keydown", (event) => {
    if (event.altKey && (event.code === "KeyM" || event.key === "m" || event.key === "M")) {
      event.preventDefault();
      details.open = true;
      if (!form.elements.last_seen_at.value) form.elements.last_seen_at.value = localNow();
      const number = window.DasanConsole && window.DasanConsole.form.elements.caller_number.value;
      if (number && !form.elements.guardian_number.value) form.elements.guardian_number.value = number;
      form.elements.kind.focus();
    }
  });
  details.addEventListener("toggle", () => {
    if (details.open && !form.elements.last_seen_at.value) form.elements.last_seen_at.value = localNow();
  });

  // --- sightings ------------------------------------------------------------------------
  // New results never wipe a sighting form the agent has started: it moves to its case's new row.
  function replaceResults(items) {
    const openForm = results.querySelector(".sighting-link");
    if (openForm) {
      const owner = openForm.closest("li");
      const again = items.find((li) => li.dataset.type === owner.dataset.type && li.dataset.id === owner.dataset.id);
      if (again) again.append(openForm);
    }
    results.replaceChildren(...items);
  }

  function renderOpenCases() {
    if (query.value.trim()) return; // search results are showing
    // Before any search: the open cases themselves, newest first, each one click from a sighting.
    const open = [...cases.values()].filter((c) => c.status === "open").sort((a, b) => (a.opened_at < b.opened_at ? 1 : -1));
    replaceResults(open.map((c) => hitItem({
      type: "case", id: c.id, description: description(c), last_seen_place: c.last_seen_place, last_seen_at: c.last_seen_at,
    })));
    searchStatus.textContent = open.length ? interpolate(t("%s open cases. Describe the person to rank them."), [open.length]) : "";
  }

  async function search() {
    const q = query.value.trim();
    if (!q) { renderOpenCases(); return; }
    searchStatus.textContent = t("Searching…");
    const result = await api("/api/safety/search?q=" + encodeURIComponent(q));
    if (query.value.trim() !== q) return;
    if (!result.ok) { searchStatus.textContent = result.data.message; return; }
    const hits = result.data.results;
    searchStatus.textContent = hits.length ? interpolate(t("%s possible matches, best first."), [hits.length]) : t("No open case or registered person fits.");
    replaceResults(hits.map(hitItem));
  }

  function hitItem(hit) {
    const li = document.createElement("li");
    li.dataset.type = hit.type;
    li.dataset.id = hit.id;
    const meta = document.createElement("div");
    meta.className = "row-meta";
    const kind = document.createElement("span");
    kind.className = "badge" + (hit.type === "case" ? " badge-urgent" : "");
    kind.textContent = hit.type === "case" ? interpolate(t("Case #%s"), [hit.id]) : interpolate(t("Registered #%s"), [hit.id]);
    meta.append(kind);
    if (hit.last_seen_place) {
      const seen = document.createElement("span");
      seen.textContent = interpolate(t("last seen at %s, %s"), [hit.last_seen_place, ago(hit.last_seen_at)]);
      meta.append(seen);
    }
    const text = document.createElement("div");
    text.className = "row-summary";
    text.textContent = hit.description;
    li.append(meta, text);
    const actions = document.createElement("div");
    actions.className = "row-actions";
    const view = document.createElement("a");
    view.href = hit.type === "case" ? "/safety/cases/" + hit.id + "/" : "/safety/registrations/" + hit.id + "/";
    view.textContent = t("Details");
    actions.append(view);
    if (hit.type === "case") {
      const link = document.createElement("button");
      link.type = "button";
      link.className = "btn btn-small";
      link.textContent = t("This is a sighting");
      link.addEventListener("click", () => openLink(li, hit.id));
      actions.append(link);
    }
    li.append(actions);
    return li;
  }

  function openLink(li, caseId) {
    if (li.querySelector(".sighting-link")) return;
    const linkForm = linkTemplate.content.firstElementChild.cloneNode(true);
    linkForm.elements.seen_at.value = localNow();
    linkForm.addEventListener("submit", (event) => { event.preventDefault(); linkSighting(caseId, linkForm); });
    li.append(linkForm);
    linkForm.elements.place.focus();
  }

  async function linkSighting(caseId, linkForm) {
    const box = linkForm.querySelector(".form-error");
    clearErrors(linkForm, box);
    if (!callId) {
      pendingSighting = { caseId, linkForm };
      box.textContent = t("The sighting is linked when the call is saved.");
      box.classList.remove("hidden");
      return;
    }
    pendingSighting = null;
    const result = await api("/api/safety/cases/" + caseId + "/sightings/", {
      method: "POST",
      body: {
        call: callId,
        place: linkForm.elements.place.value,
        seen_at: isoFromLocal(linkForm.elements.seen_at.value),
        note: linkForm.elements.note.value,
      },
    });
    if (!result.ok) { showErrors(linkForm, box, result.data); return; }
    toast(result.data.followup ? t("Sighting linked: call the guardian back now (follow-ups due).") : t("Sighting linked."));
    linkForm.remove();
    query.value = "";
    renderOpenCases();
  }

  query.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 300); });
  query.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); search(); } });

  document.addEventListener("console:call-saved", (event) => {
    const call = event.detail && event.detail.call;
    if (!call) return;
    callId = call.id;
    showTarget();
    if (pendingCase) openCase();
    if (pendingSighting) linkSighting(pendingSighting.caseId, pendingSighting.linkForm);
  });
  document.addEventListener("console:caller-changed", () => {
    if (callId && !pendingCase && !pendingSighting) { callId = null; showTarget(); }
  });
})();
