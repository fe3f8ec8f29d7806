/* The console's queue panel: calls waiting, longest wait, my state and figures,
 * and the screen pop, over the agent's own socket /ws/agent/.
 *
 * Messages (docs/realtime.md): {"type": "agent.snapshot", "data": {"me", "queue"}} on connect;
 * {"type": "queue.updated", "data": {...}}; {"type": "agent.state_changed", "data": {...}};
 * {"type": "call.screen_pop", "data": {call_id, caller_number (masked), ...}}: the log
 * form is prefilled (phone_call_id, language, and the full number from the
 * access-logged GET /api/queue/calls/{call_id}/caller/) and the caller's history loads.
 */
(function () {
  "use strict";
  const panel = document.getElementById("queue-panel");
  if (!panel || !window.Dasan) return;
  const { liveSocket, api, toast, t } = window.Dasan;
  const $ = (id) => document.getElementById(id);
  const STATE_LABELS = {
    offline: t("Offline"), available: t("Available"), ringing: t("Ringing"),
    on_call: t("On call"), after_call_work: t("After-call work"), break: t("Break"),
  };
  let queue = null, me = null, offset = 0;

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds || 0));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function age(iso) { return iso ? (Date.now() + offset - new Date(iso).getTime()) / 1000 : 0; }

  function renderQueue(data) {
    queue = data;
    offset = new Date(data.generated_at).getTime() - Date.now();
    $("qp-waiting").textContent = String(data.calls_waiting);
    tick();
  }

  function renderMe(data) {
    me = data;
    const state = $("qp-state");
    state.textContent = STATE_LABELS[data.state] || data.state;
    state.className = "badge wb-state wb-state-" + data.state;
    panel.dataset.state = data.state;
    $("qp-answered").textContent = String(data.answered_today);
    $("qp-aht").textContent = data.aht_seconds == null ? "–" : duration(data.aht_seconds);
    const show = (id, visible) => $(id).classList.toggle("hidden", !visible);
    show("qp-sign-in", !data.signed_in);
    show("qp-sign-out", data.signed_in && !["on_call", "ringing"].includes(data.state));
    show("qp-available", data.signed_in && data.state === "break");
    show("qp-end-wrap", data.signed_in && data.state === "after_call_work");
    show("qp-break", data.signed_in && ["available", "after_call_work"].includes(data.state));
    tick();
  }

  function tick() {
    if (queue) {
      const wait = queue.oldest_waiting_since ? age(queue.oldest_waiting_since) : 0;
      $("qp-longest").textContent = duration(wait);
      $("qp-longest").classList.toggle("qp-late", wait > 60);
    }
    if (me && me.since) $("qp-since").textContent = duration(age(me.since));
  }

  async function refreshMe() {
    const result = await api("/api/agent/status/");
    if (result.ok) { renderMe(result.data.me); renderQueue(result.data.queue); }
  }

  async function screenPop(data) {
    const pop = $("qp-pop");
    const from = data.number_withheld ? t("a withheld number") : data.caller_number || "—";
    pop.textContent = interpolate(t("Call from %s (waited %s s): the form is filled in."), [from, Math.round(data.wait_seconds)]);
    pop.classList.remove("hidden");
    if (window.DasanConsole) {
      const fields = { phone_call_id: data.call_id, started_at: data.answered_at };
      if (data.number_withheld) fields.number_status = "withheld";
      else if (data.caller_number) {
        // the socket carries the number masked; the full one is a logged reveal
        const reveal = await api(`/api/queue/calls/${encodeURIComponent(data.call_id)}/caller/`);
        if (reveal.ok && reveal.data.caller_number) fields.caller_number = reveal.data.caller_number;
        else if (!reveal.ok) toast(reveal.data.message);
      }
      if (data.language) fields.language = data.language;
      if (data.category) fields.category = data.category;
      window.DasanConsole.prefill(fields);
      window.DasanConsole.emit("console:screen-pop", data);
    }
    const summary = document.getElementById("f-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("console:call-saved", () => { $("qp-pop").classList.add("hidden"); refreshMe(); });
  document.addEventListener("console:form-reset", () => $("qp-pop").classList.add("hidden"));

  panel.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    button.disabled = true;
    const result = button.dataset.action
      ? await api("/api/agent/shift/", { method: "POST", body: { action: button.dataset.action } })
      : await api("/api/agent/state/", { method: "POST", body: { state: button.dataset.state } });
    button.disabled = false;
    if (!result.ok) { toast(result.data.message); return; }
    renderMe(result.data.me);
    renderQueue(result.data.queue);
  });

  liveSocket(panel.dataset.socket, {
    onState(state) { $("qp-reconnecting").classList.toggle("hidden", state !== "reconnecting"); },
    onMessage(message) {
      // Other panels hear this socket too (the safety alerts): one socket per console.
      document.dispatchEvent(new CustomEvent("agent-socket:message", { detail: message }));
      if (message.type === "agent.snapshot") { renderMe(message.data.me); renderQueue(message.data.queue); }
      else if (message.type === "queue.updated") renderQueue(message.data);
      else if (message.type === "agent.state_changed") refreshMe();
      else if (message.type === "call.screen_pop") screenPop(message.data);
    },
  });
  setInterval(tick, 1000);
})();
