/* The console's referral panel: refer the call being logged (sent when it is
 * saved) or the call just saved, in a few keystrokes; list the follow-ups due
 * and close them with an outcome. Listens to console:call-saved {call} and
 * console:caller-changed from console.js, and to /ws/referrals/ for follow-ups.
 */
(function () {
  "use strict";
  const { api, showErrors, clearErrors, toast, formatTime, liveSocket, t } = window.Dasan;
  const panel = document.getElementById("referral-panel");
  if (!panel) return;
  const form = document.getElementById("referral-form");
  const errorBox = document.getElementById("referral-form-error");
  const target = document.getElementById("referral-target");
  const submitButton = document.getElementById("referral-submit");
  const list = document.getElementById("followups-list");
  const count = document.getElementById("followups-count");
  const empty = document.getElementById("followups-empty");
  const mine = document.getElementById("followups-mine");
  const closeTemplate = document.getElementById("followup-close-template");
  const username = panel.dataset.username;

  let callId = null;
  let sending = false;

  function consentValue() {
    const checked = form.querySelector('input[name="consent"]:checked');
    return checked ? checked.value === "yes" : null;
  }

  function emergency() {
    const option = form.elements.service.selectedOptions[0];
    return Boolean(option && option.dataset.emergency);
  }
  form.elements.service.addEventListener("change", () => {
    document.getElementById("r-incident-field").classList.toggle("hidden", !emergency());
  });

  function started() {
    return Boolean(form.elements.service.value || form.elements.reason.value.trim());
  }

  function showTarget() {
    target.textContent = callId
      ? interpolate(t("Referring call #%s."), [callId])
      : t("Fill this in while you log the call: the referral is sent when the call is saved. Or save the call first, then refer it.");
  }

  function resetPanel() {
    form.reset();
    document.getElementById("r-incident-field").classList.add("hidden");
    clearErrors(form, errorBox);
    callId = null;
    showTarget();
  }

  async function submit() {
    if (sending) return;
    clearErrors(form, errorBox);
    if (!callId) {
      // Not saved yet: the referral goes out with console:call-saved.
      target.textContent = t("The referral will be sent when the call is saved.");
      if (window.DasanConsole) window.DasanConsole.form.elements.summary.focus();
      return;
    }
    const body = {
      call: callId,
      service: form.elements.service.value,
      reason: form.elements.reason.value,
      priority: form.elements.priority.value,
      callback_preference: form.elements.callback_preference.value,
    };
    if (emergency()) body.incident_number = form.elements.incident_number.value;
    const consent = consentValue();
    if (consent !== null) body.consent = consent;
    sending = true;
    submitButton.disabled = true;
    const result = await api("/api/referrals/", { method: "POST", body });
    sending = false;
    submitButton.disabled = false;
    if (!result.ok) {
      if (result.data && result.data.fields && result.data.fields.consent) {
        form.querySelector('input[name="consent"]').setAttribute("aria-invalid", "true");
      }
      showErrors(form, errorBox, result.data);
      if (result.data && result.data.fields && result.data.fields.consent) {
        document.getElementById("r-consent-yes").focus();
      }
      return;
    }
    toast(interpolate(result.data.status === "transferred" ? t("Transferred to %s.") : t("Referred to %s."), [result.data.service_name]));
    resetPanel();
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
    else if (event.key === "Enter" && event.target.tagName === "SELECT" && !event.isComposing) { event.preventDefault(); submit(); }
  });
  // Alt+R: jump to the referral panel from anywhere in the console.
  document.addEventListener("keydown", (event) => {
    if (event.altKey && (event.key === "r" || event.key === "R" || event.code === "KeyR")) {
      event.preventDefault();
      form.elements.service.focus();
    }
  });

  document.addEventListener("console:call-saved", (event) => {
    const call = event.detail && event.detail.call;
    if (!call) return;
    callId = call.id;
    if (call.urgent && form.elements.priority.value === "normal") form.elements.priority.value = "urgent";
    showTarget();
    // Filled in while logging: send it now (a missing answer shows as an error to fix).
    if (started()) submit();
  });
  document.addEventListener("console:caller-changed", () => {
    // A new caller: the panel now refers the call being logged, not the last one.
    if (callId && !started()) { callId = null; showTarget(); }
  });

  // --- follow-ups due -----------------------------------------------------------
  function followupItem(followup) {
    const li = document.createElement("li");
    li.dataset.followupId = followup.id;
    if (followup.pressing) li.classList.add("is-pressing");
    const meta = document.createElement("div");
    meta.className = "row-meta";
    const due = document.createElement("span");
    due.textContent = interpolate(t("call back by %s"), [formatTime(followup.due_at)]);
    meta.append(due);
    if (followup.overdue) {
      const late = document.createElement("span");
      late.className = "badge badge-urgent"; late.textContent = t("Overdue"); meta.append(late);
    }
    [followup.service_name, followup.contact_number, followup.callback_preference].filter(Boolean).forEach((text) => {
      const span = document.createElement("span"); span.textContent = text; meta.append(span);
    });
    const summary = document.createElement("div");
    summary.className = "row-summary";
    summary.textContent = followup.reason || followup.referral_outcome;
    const actions = document.createElement("div");
    actions.className = "row-actions";
    const history = document.createElement("a");
    history.href = "/referrals/" + followup.referral + "/";
    history.textContent = t("Referral and history");
    const close = document.createElement("button");
    close.type = "button"; close.className = "btn btn-small";
    close.textContent = t("Close with outcome");
    close.addEventListener("click", () => openClose(li, followup));
    actions.append(history, close);
    li.append(meta, summary, actions);
    return li;
  }

  function openClose(li, followup) {
    if (li.querySelector("form")) { li.querySelector("select").focus(); return; }
    const closeForm = closeTemplate.content.firstElementChild.cloneNode(true);
    const box = closeForm.querySelector(".form-error");
    closeForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await api("/api/followups/" + followup.id + "/complete/", {
        method: "POST",
        body: { outcome: closeForm.elements.outcome.value, note: closeForm.elements.note.value },
      });
      if (!result.ok) { showErrors(closeForm, box, result.data); return; }
      toast(t("Follow-up closed."));
      loadFollowups();
    });
    closeForm.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); closeForm.remove(); }
    });
    li.append(closeForm);
    closeForm.elements.outcome.focus();
  }

  async function loadFollowups() {
    const query = "?due=true" + (mine.checked ? "&agent=" + encodeURIComponent(username) : "");
    const result = await api("/api/followups/" + query);
    if (!result.ok) return;
    const items = result.data.results;
    list.innerHTML = "";
    items.forEach((followup) => list.append(followupItem(followup)));
    count.textContent = String(result.data.count);
    empty.classList.toggle("hidden", items.length > 0);
  }

  mine.addEventListener("change", loadFollowups);
  loadFollowups();
  liveSocket("/ws/referrals/", {
    onMessage(message) {
      if (message.type === "followup.due" || message.type === "followup.closed") loadFollowups();
    },
  });
  showTarget();
})();
