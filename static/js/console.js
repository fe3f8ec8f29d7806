/* The agent console: log calls with the keyboard, show the caller's history.
 *
 * Other console panels (knowledge base, queue, referrals) plug in through
 * window.DasanConsole: extraPayload hooks add fields to the saved call,
 * prefill() fills the form (screen pop), and DOM events tell them what happened:
 *   console:caller-changed {number}, console:call-saved {call}, console:form-reset.
 */
(function () {
  "use strict";
  const { api, showErrors, clearErrors, toast, uuid, formatTime, formatClock } = window.Dasan;
  const form = document.getElementById("call-form");
  if (!form) return;
  const errorBox = document.getElementById("call-form-error");
  const numberInput = form.elements.caller_number;
  const numberStatus = form.elements.number_status;
  const saveButton = document.getElementById("call-save");
  const historyList = document.getElementById("history-list");
  const historyStatus = document.getElementById("history-status");
  const todayList = document.getElementById("calls-today");
  const todayCount = document.getElementById("today-count");
  const todayEmpty = document.getElementById("today-empty");

  let requestId = uuid();
  let startedAt = null;
  let saving = false;
  let historyFor = "";
  let historyTimer = null;

  const DasanConsole = {
    form,
    extraPayload: [],
    prefill(fields) {
      if (fields.caller_number) numberStatus.value = "known";
      Object.entries(fields).forEach(([name, value]) => {
        const input = form.elements[name];
        if (!input) return;
        if (input.type === "checkbox") input.checked = Boolean(value);
        else input.value = value == null ? "" : value;
      });
      applyNumberStatus();
      if (fields.started_at) startedAt = fields.started_at;
      if (fields.caller_number) lookupHistory(true);
    },
    emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail })); },
  };
  window.DasanConsole = DasanConsole;

  function digits(value) { return (value || "").replace(/[^0-9+]/g, ""); }

  function numberKnown() { return numberStatus.value === "known"; }

  // The call's length: counts from the first key (or the screen pop) until the
  // agent types over it; a typed length is saved as duration_seconds.
  const durationInput = form.elements.duration;
  let durationTyped = false;
  function mmss(seconds) {
    const s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function typedSeconds() {
    const match = /^\s*(\d{1,4}):([0-5]\d)\s*$/.exec(durationInput.value);
    return match ? Number(match[1]) * 60 + Number(match[2]) : null;
  }
  setInterval(() => {
    if (startedAt && !durationTyped) durationInput.value = mmss((Date.now() - new Date(startedAt).getTime()) / 1000);
  }, 1000);
  durationInput.addEventListener("input", () => { durationTyped = true; });

  function hasContent() {
    return ["caller_number", "summary", "notes", "category", "phone_call_id"].some((name) => form.elements[name].value.trim())
      || durationTyped || form.elements.urgent.checked;
  }

  // Withheld or no number: the number field is off (and sent as absent), no history.
  function applyNumberStatus() {
    const known = numberKnown();
    numberInput.disabled = !known;
    numberInput.required = known;
    if (!known) {
      numberInput.value = "";
      clearTimeout(historyTimer);
      historyFor = "";
      historyList.innerHTML = "";
      historyStatus.textContent = gettext("No number: there is no caller history to show.");
    } else if (!numberInput.value) {
      historyStatus.textContent = gettext("Type the caller's number to see their past contacts.");
    }
  }

  function payload() {
    const data = {
      number_status: numberStatus.value,
      category: form.elements.category.value,
      summary: form.elements.summary.value,
      language: form.elements.language.value,
      channel: form.elements.channel.value,
      resolution: form.elements.resolution.value,
      notes: form.elements.notes.value,
      urgent: form.elements.urgent.checked,
      vulnerable: form.elements.vulnerable.value,
      satisfaction: form.elements.satisfaction.value ? Number(form.elements.satisfaction.value) : null,
      phone_call_id: form.elements.phone_call_id.value,
      client_request_id: requestId,
      started_at: startedAt || new Date().toISOString(),
      ended_at: new Date().toISOString(),
    };
    if (durationTyped && durationInput.value.trim()) {
      delete data.ended_at;
      data.duration_seconds = typedSeconds();
    }
    if (numberKnown()) data.caller_number = numberInput.value.trim();
    DasanConsole.extraPayload.forEach((hook) => Object.assign(data, hook() || {}));
    return data;
  }

  function resetForm() {
    form.reset();
    durationTyped = false;
    applyNumberStatus();
    form.elements.phone_call_id.value = "";
    clearErrors(form, errorBox);
    requestId = uuid();
    startedAt = null;
    historyFor = "";
    historyList.innerHTML = "";
    historyStatus.textContent = gettext("Type the caller's number to see their past contacts.");
    DasanConsole.emit("console:form-reset", {});
    numberInput.focus();
  }

  function callRow(call) {
    const li = document.createElement("li");
    li.dataset.callId = call.id;
    li.className = "is-new";
    const meta = document.createElement("div");
    meta.className = "row-meta";
    const time = formatClock(call.started_at);
    const number = call.caller_number ||
      (call.number_status === "withheld" ? gettext("Number withheld") : gettext("No number"));
    [time, number, call.category_name].forEach((text) => {
      const span = document.createElement("span"); span.textContent = text; meta.appendChild(span);
    });
    const badge = document.createElement("span");
    badge.className = "badge"; badge.textContent = call.resolution_display; meta.appendChild(badge);
    if (call.urgent) {
      const urgent = document.createElement("span");
      urgent.className = "badge badge-urgent"; urgent.textContent = gettext("Urgent"); meta.appendChild(urgent);
    }
    if (call.duration_seconds != null) {
      const length = document.createElement("span");
      length.className = "row-duration";
      length.title = gettext("Length");
      length.textContent = mmss(call.duration_seconds);
      badge.before(length);
    }
    const summary = document.createElement("div");
    summary.className = "row-summary";
    summary.textContent = call.summary.length > 140 ? call.summary.slice(0, 139) + "…" : call.summary;
    const link = document.createElement("a");
    link.className = "row-link";
    link.href = "/calls/" + encodeURIComponent(call.id) + "/";
    link.append(meta, summary);
    li.append(link);
    return li;
  }

  async function save() {
    if (saving) return;
    if (durationTyped && durationInput.value.trim() && typedSeconds() === null) {
      showErrors(form, errorBox, { message: gettext("Some fields are not valid."),
        fields: { duration: [gettext("Write the length as minutes:seconds, e.g. 4:05.")] } });
      return;
    }
    saving = true;
    saveButton.disabled = true;
    const result = await api("/api/calls/", { method: "POST", body: payload() });
    saving = false;
    saveButton.disabled = false;
    if (!result.ok) {
      const error = Object.assign({}, result.data);
      if (error.fields && error.fields.duration_seconds) {
        error.fields = Object.assign({ duration: error.fields.duration_seconds }, error.fields);
        delete error.fields.duration_seconds;
      }
      showErrors(form, errorBox, error);
      return;
    }
    const call = result.data;
    if (!todayList.querySelector('[data-call-id="' + call.id + '"]')) {
      todayList.prepend(callRow(call));
      todayCount.textContent = String(todayList.children.length);
      todayEmpty.classList.add("hidden");
    }
    toast(gettext("Call saved."));
    DasanConsole.emit("console:call-saved", { call });
    resetForm();
  }

  function renderHistory(data) {
    historyList.innerHTML = "";
    if (!data.known || data.results.length === 0) {
      historyStatus.textContent = gettext("First contact: no earlier calls from this number.");
      return;
    }
    historyStatus.textContent = interpolate(gettext("%s earlier contacts"), [data.results.length]);
    data.results.forEach((entry) => {
      const li = document.createElement("li");
      const meta = document.createElement("div");
      meta.className = "row-meta";
      [formatTime(entry.started_at), entry.category_name, entry.resolution_display, entry.agent].forEach((text) => {
        const span = document.createElement("span"); span.textContent = text; meta.appendChild(span);
      });
      const summary = document.createElement("div");
      summary.className = "row-summary";
      summary.textContent = entry.summary;
      li.append(meta, summary);
      historyList.appendChild(li);
    });
  }

  async function lookupHistory(force) {
    if (!numberKnown()) return;
    const number = digits(numberInput.value);
    if (number.replace("+", "").length < 8) return;
    if (number === historyFor && !force) return;
    historyFor = number;
    historyStatus.textContent = gettext("Looking up past contacts…");
    const result = await api("/api/callers/" + encodeURIComponent(number) + "/history/");
    if (digits(numberInput.value) !== number) return; // the agent typed on
    if (!result.ok) {
      historyList.innerHTML = "";
      historyStatus.textContent = result.data.message;
      return;
    }
    renderHistory(result.data);
    DasanConsole.emit("console:caller-changed", { number, history: result.data });
  }

  numberInput.addEventListener("input", () => {
    if (!startedAt) startedAt = new Date().toISOString();
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => lookupHistory(false), 350);
  });
  numberInput.addEventListener("blur", () => lookupHistory(false));
  numberStatus.addEventListener("change", () => {
    if (!startedAt) startedAt = new Date().toISOString();
    applyNumberStatus();
  });
  // A walk-in or an internet contact usually has no number: suggest it while none is typed.
  form.elements.channel.addEventListener("change", () => {
    const channel = form.elements.channel.value;
    if (["visit", "internet"].includes(channel) && numberKnown() && !numberInput.value.trim()) {
      numberStatus.value = "none";
      applyNumberStatus();
    } else if (channel === "phone" && numberStatus.value === "none") {
      numberStatus.value = "known";
      applyNumberStatus();
    }
  });

  form.addEventListener("submit", (event) => { event.preventDefault(); save(); });
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Escape") {
      event.preventDefault();
      // Ask first: an accidental Esc must not lose the call, nor the screen-popped phone call's link.
      const question = form.elements.phone_call_id.value
        ? gettext("Clear the form? What you typed and the link to the answered phone call will be lost.")
        : gettext("Clear the form? What you typed will be lost.");
      if (!hasContent() || window.confirm(question)) resetForm();
      return;
    }
    if (event.key !== "Enter" || event.isComposing) return;
    if (target.tagName === "TEXTAREA") {
      if (event.ctrlKey || event.metaKey) { event.preventDefault(); save(); }
      return;
    }
    if (target.tagName === "SELECT") { event.preventDefault(); save(); }
  });
})();
