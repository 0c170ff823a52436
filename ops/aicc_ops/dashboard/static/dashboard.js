// The live page: polls /api/state every AICC_INTERVAL_MS and redraws the tables in place (no
// reload). The server reads the target at most once per interval, whatever the number of tabs.
"use strict";

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined || text === "" ? "-" : String(text);
  if (cls) td.className = cls;
  return td;
}

function fill(id, rows, columns, rowClass, empty) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren();
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = cell(empty, "empty");
    td.colSpan = columns.length;
    tr.appendChild(td);
    body.appendChild(tr);
    return;
  }
  for (const row of rows) {
    const tr = document.createElement("tr");
    if (rowClass) tr.className = rowClass(row);
    if (row.key || row.contact_id || row.queue) tr.dataset.key = row.key || row.contact_id || row.queue;
    for (const [value, cls] of columns.map((c) => c(row))) tr.appendChild(cell(value, cls));
    body.appendChild(tr);
  }
}

const slug = (s) => String(s || "").replace(/\s+/g, "-");

function draw(state) {
  document.getElementById("updated").textContent = state.at_seoul;
  fill("queues", state.queues, [
    (r) => [r.name],
    (r) => [r.waiting, "num waiting"],
    (r) => [r.oldest, "num"],
    (r) => [r.sla],
    (r) => [r.state, "state"],
    (r) => [r.agents_available, "num"],
    (r) => [r.agents_online, "num"],
  ], (r) => (r.state ? "state-" + slug(r.state) : ""), "대기열 없음");
  for (const el of document.querySelectorAll("[data-agents]")) {
    el.textContent = state.agents[el.dataset.agents];
  }
  document.getElementById("call-count").textContent = state.calls_count;
  fill("calls", state.calls, [
    (r) => [r.contact_id.slice(0, 8)],
    (r) => [r.stage, "stage"],
    (r) => [r.step, "step"],
    (r) => [r.path],
    (r) => [r.queue],
    (r) => [[r.sentiment, r.sentiment_direction].filter(Boolean).join(" · "), "sentiment-" + r.sentiment],
  ], null, "진행 중인 통화 없음");
  fill("emergencies", state.emergencies, [
    (r) => [r.contact_id.slice(0, 8)],
    (r) => [r.stage],
    (r) => [r.escalation_step, "num escalation-step"],
    (r) => [r.escalation_started_at],
    (r) => [r.pages.map((p) => p.step + ": " + p.login + (p.acked ? " ✓" : "")).join(", ")],
  ], null, "긴급 장애 없음");
  fill("alerts", state.alerts, [
    (r) => [r.name],
    (r) => [r.episode === "OK" ? "resolved" : r.episode, "episode"],
    (r) => [r.changed],
    (r) => [r.paged ? "yes" : "no"],
  ], (r) => "episode-" + r.episode, "알림 없음");
}

async function poll() {
  const banner = document.getElementById("error");
  try {
    const response = await fetch("/api/state", { cache: "no-store" });
    const state = await response.json();
    if (state.error) {
      banner.textContent = state.error;
      banner.style.display = "block";
    } else {
      banner.style.display = "none";
      draw(state);
    }
  } catch (err) {
    banner.textContent = "aicc-ops dashboard is not answering (stopped?): " + err;
    banner.style.display = "block";
  }
  setTimeout(poll, window.AICC_INTERVAL_MS);
}

poll();
