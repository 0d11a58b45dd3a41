// Live auction view: polls the auction's state every two seconds and places bids without a page reload.
// Without JavaScript the page still works (the bid form posts normally and the page shows the outcome).
(function () {
  "use strict";
  const live = document.getElementById("live");
  if (!live) return;
  const $ = (id) => document.getElementById(id);
  const stateUrl = live.dataset.stateUrl;
  let timer = null;

  function text(id, value) {
    const el = $(id);
    if (el && el.textContent !== value) el.textContent = value;
  }

  function render(s) {
    text("a-phase", s.phase_label);
    text("a-price", s.current_price || live.dataset.none);
    text("a-leader", (s.leader || live.dataset.none) + (s.leader_is_me ? " (" + live.dataset.you + ")" : ""));
    text("a-min", s.minimum_bid);
    text("a-count", String(s.bid_count));
    const ends = new Date(s.ends_at);
    text("a-ends", ends.toLocaleString());
    text("a-left", s.seconds_left > 0 ? formatLeft(s.seconds_left) : "");
    const body = $("a-bids");
    if (body) {
      const rows = s.bids.map((b) => {
        const tr = document.createElement("tr");
        [b.amount, b.bidder + (b.mine ? " (" + live.dataset.you + ")" : ""), new Date(b.placed_at).toLocaleTimeString()]
          .forEach((v) => { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
        return tr;
      });
      if (rows.length) body.replaceChildren(...rows);
    }
    const amount = $("b-amount");
    if (amount && document.activeElement !== amount && Number(amount.value) < Number(s.minimum_bid)) {
      amount.value = s.minimum_bid;
    }
    const form = $("bid-form");
    if (form && s.phase !== "running" && s.phase !== "scheduled") form.hidden = true;
    if (["sold", "failed", "cancelled"].includes(s.phase)) stop();
  }

  function formatLeft(seconds) {
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), sec = seconds % 60;
    return (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
  }

  async function poll() {
    try {
      const res = await fetch(stateUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (res.ok) render(await res.json());
    } catch (e) { /* network hiccup: try again at the next tick */ }
  }

  function stop() { if (timer) { clearInterval(timer); timer = null; } }

  const form = $("bid-form");
  if (form) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const out = $("bid-result");
      const data = new FormData(form);
      const body = { amount: data.get("amount") };
      if (data.get("org")) body.org = Number(data.get("org"));
      try {
        const res = await fetch(live.dataset.bidUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": data.get("csrfmiddlewaretoken") },
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
        const result = await res.json();
        out.textContent = result.message || "";
        out.className = res.ok && result.accepted ? "ok" : "refused";
        out.dataset.code = result.code || (result.accepted ? "accepted" : "");
      } catch (e) {
        out.textContent = String(e);
        out.className = "refused";
      }
      poll();
    });
  }
  poll();
  timer = setInterval(poll, 2000);
})();
