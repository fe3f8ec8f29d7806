/* The partner desk (live list over /ws/referrals/) and the referral page's
 * actions. One dialog asks for what a transition needs: an appointment
 * (scheduled), an outcome (completed), a reason (declined).
 */
(function () {
  "use strict";
  const { api, showErrors, clearErrors, toast, formatTime, liveSocket, t } = window.Dasan;

  const STATUS = {
    new: t("New"), accepted: t("Accepted"), scheduled: t("Scheduled"),
    completed: t("Completed"), declined: t("Declined"), cancelled: t("Cancelled"),
  };
  const ACTION = {
    accepted: t("Accept"), scheduled: t("Schedule"), completed: t("Complete"),
    declined: t("Decline"), cancelled: t("Cancel referral"),
  };
  const NEEDS_DIALOG = new Set(["scheduled", "completed", "declined", "cancelled"]);

  // --- the transition dialog ------------------------------------------------------
  const dialog = document.getElementById("transition-dialog");
  const dialogForm = document.getElementById("transition-form");
  const dialogError = document.getElementById("transition-error");
  let pending = null;

  function localInputValue(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  async function send(referralId, body) {
    const result = await api("/api/referrals/" + referralId + "/transition/", { method: "POST", body });
    return result;
  }

  async function transition(referralId, to, onDone) {
    if (!NEEDS_DIALOG.has(to)) {
      const result = await send(referralId, { to });
      if (!result.ok) { toast(result.data.message); return; }
      toast(interpolate(t("Referral #%s: %s."), [referralId, STATUS[to]]));
      onDone && onDone(result.data);
      return;
    }
    pending = { referralId, to, onDone };
    dialogForm.reset();
    clearErrors(dialogForm, dialogError);
    dialogForm.elements.to.value = to;
    document.getElementById("transition-title").textContent = interpolate(t("%s referral #%s"), [ACTION[to], referralId]);
    dialogForm.querySelectorAll("[data-for]").forEach((node) => node.classList.toggle("hidden", node.dataset.for !== to));
    if (to === "scheduled") {
      const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
      tomorrow.setHours(10, 0, 0, 0);
      dialogForm.elements.scheduled_for.value = localInputValue(tomorrow);
    }
    dialog.showModal();
    const first = dialogForm.querySelector("[data-for]:not(.hidden) input, [data-for]:not(.hidden) textarea") || dialogForm.elements.note;
    first.focus();
  }

  if (dialogForm) {
    dialogForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!pending) return;
      const to = pending.to;
      const body = { to, note: dialogForm.elements.note.value };
      if (to === "scheduled") {
        const value = dialogForm.elements.scheduled_for.value;
        body.scheduled_for = value ? new Date(value).toISOString() : null;
      }
      if (to === "completed") body.outcome = dialogForm.elements.outcome.value;
      if (to === "declined") body.reason = dialogForm.elements.reason.value;
      const result = await send(pending.referralId, body);
      if (!result.ok) { showErrors(dialogForm, dialogError, result.data); return; }
      const done = pending;
      pending = null;
      dialog.close();
      toast(interpolate(t("Referral #%s: %s."), [done.referralId, STATUS[to]]));
      done.onDone && done.onDone(result.data);
    });
    document.getElementById("transition-cancel").addEventListener("click", () => { pending = null; dialog.close(); });
    dialogForm.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); dialogForm.requestSubmit(); }
    });
  }

  // --- the referral page ------------------------------------------------------------
  document.querySelectorAll("[data-transition]").forEach((button) => {
    button.addEventListener("click", () => transition(button.dataset.referral, button.dataset.transition, () => location.reload()));
  });
  const followupForm = document.getElementById("followup-close-form");
  if (followupForm) {
    const box = document.getElementById("followup-close-error");
    followupForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await api("/api/followups/" + followupForm.dataset.followup + "/complete/", {
        method: "POST",
        body: { outcome: followupForm.elements.outcome.value, note: followupForm.elements.note.value },
      });
      if (!result.ok) { showErrors(followupForm, box, result.data); return; }
      location.reload();
    });
  }

  // --- the partner desk ---------------------------------------------------------------
  const rows = document.getElementById("desk-rows");
  if (!rows) return;
  const empty = document.getElementById("desk-empty");
  const liveBadge = document.getElementById("desk-live");
  const newBanner = document.getElementById("desk-new");
  const open = new Map();
  let unseen = 0;
  let live = false;
  const baseTitle = document.title;

  function lang() { return document.documentElement.lang === "en" ? "en" : "ko"; }

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (text instanceof Node) td.append(text); else td.textContent = text == null ? "" : text;
    return td;
  }

  function badge(text, kind) {
    const span = document.createElement("span");
    span.className = "badge" + (kind ? " badge-" + kind : "");
    span.textContent = text;
    return span;
  }

  function row(referral, fresh) {
    const tr = document.createElement("tr");
    tr.dataset.referralId = referral.id;
    tr.dataset.status = referral.status;
    if (referral.pressing) tr.classList.add("is-pressing");
    if (fresh) tr.classList.add("is-new");
    const received = document.createElement("div");
    const link = document.createElement("a");
    link.href = "/referrals/" + referral.id + "/";
    link.textContent = "#" + referral.id;
    received.append(link, " ", formatTime(referral.created_at));
    if (fresh) received.append(" ", badge(t("New"), "warn"));
    if (referral.priority === "urgent") received.append(" ", badge(t("Urgent"), "urgent"));
    if (referral.vulnerable) received.append(" ", badge(t("Vulnerable caller"), "urgent"));
    const reason = document.createElement("div");
    reason.textContent = referral.reason.length > 160 ? referral.reason.slice(0, 159) + "…" : referral.reason;
    if (referral.callback_preference) {
      const pref = document.createElement("div");
      pref.className = "muted";
      pref.textContent = interpolate(t("Callback: %s"), [referral.callback_preference]);
      reason.append(pref);
    }
    const contact = document.createElement("div");
    const number = document.createElement("span");
    number.className = "nowrap";
    number.textContent = referral.contact_number || "—";
    contact.append(number);
    contact.append(" ", referral.consent ? badge(t("consent"), "ok") : badge(t("no consent: masked")));
    const status = document.createElement("div");
    status.append(badge(STATUS[referral.status] || referral.status));
    if (referral.status === "new" && referral.accept_due_at) {
      const due = document.createElement("div");
      due.className = "muted";
      due.textContent = interpolate(t("accept by %s"), [formatTime(referral.accept_due_at)]);
      status.append(due);
      if (referral.acceptance_overdue) status.append(badge(t("Overdue"), "urgent"));
    }
    if (referral.scheduled_for) {
      const when = document.createElement("div");
      when.textContent = interpolate(t("appointment %s"), [formatTime(referral.scheduled_for)]);
      status.append(when);
    }
    const actions = document.createElement("div");
    actions.className = "row-actions";
    referral.next.filter((to) => to !== "cancelled").forEach((to) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small" + (to === "accepted" || to === "completed" ? " btn-primary" : "");
      button.dataset.action = to;
      button.textContent = ACTION[to];
      // The row changes when referral.updated arrives on the socket; without a live socket, reload.
      button.addEventListener("click", () => transition(referral.id, to, () => { if (!live) location.reload(); }));
      actions.append(button);
    });
    tr.append(
      cell(received), cell(lang() === "en" ? referral.service_name_en : referral.service_name_ko),
      cell(reason), cell(contact), cell(status), cell(actions)
    );
    return tr;
  }

  function order(a, b) {
    if (a.pressing !== b.pressing) return a.pressing ? -1 : 1;
    return a.created_at < b.created_at ? 1 : -1;
  }

  function render(freshId) {
    rows.innerHTML = "";
    [...open.values()].sort(order).forEach((referral) => rows.append(row(referral, referral.id === freshId)));
    empty.classList.toggle("hidden", open.size > 0);
  }

  function update(referral, freshId) {
    const existing = rows.querySelector('tr[data-referral-id="' + referral.id + '"]');
    if (["new", "accepted", "scheduled"].includes(referral.status)) {
      open.set(referral.id, referral);
      // In place when the row is there (the list keeps its order and focus), else a full render.
      if (existing && !freshId) { existing.replaceWith(row(referral, false)); return; }
    } else {
      open.delete(referral.id);
    }
    render(freshId);
  }

  function cue(referral) {
    unseen += 1;
    document.title = "(" + unseen + ") " + baseTitle;
    newBanner.textContent = interpolate(t("New referral #%s: %s"), [referral.id, referral.reason.slice(0, 80)]);
    newBanner.classList.remove("hidden");
    try {  // a short beep; browsers may refuse sound before the first click, the banner stays
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      tone.frequency.value = referral.pressing ? 880 : 660;
      tone.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.15);
    } catch (err) { /* no sound: the visual cue is enough */ }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) { unseen = 0; document.title = baseTitle; }
  });

  const initial = JSON.parse(document.getElementById("desk-initial").textContent);
  initial.referrals.forEach((referral) => open.set(referral.id, referral));
  render();

  liveSocket("/ws/referrals/", {
    onState(state) {
      live = state === "open";
      liveBadge.dataset.state = state;
      liveBadge.textContent = { open: t("Live"), connecting: t("Connecting…"), reconnecting: t("Reconnecting…"), forbidden: t("Not allowed") }[state] || state;
      liveBadge.className = "badge" + (state === "open" ? " badge-ok" : " badge-warn");
    },
    onMessage(message) {
      if (message.type === "referrals.snapshot") {
        open.clear();
        message.data.referrals.forEach((referral) => open.set(referral.id, referral));
        render();
      } else if (message.type === "referral.created") {
        const referral = message.data.referral;
        update(referral, referral.id);
        cue(referral);
      } else if (message.type === "referral.updated") {
        update(message.data.referral);
      }
    },
  });
})();
