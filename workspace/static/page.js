// The local workspace page: pick a person, talk to the bot, click its buttons, fill its modals,
// share files, move the clock. It polls /ui/state (cheap when nothing changed) and re-renders only
// what changed, so typing is never interrupted and long conversations stay fast.
"use strict";

const $ = (id) => document.getElementById(id);
const R = Render;
const POLL_MS = 600;

let me = localStorage.getItem("workspace-user") || "";
let where = ""; // "home", a channel id, or "" for the DM with the bot
let version = -1;
let current = null;
let clockAt = { now: Date.now() / 1000, at: performance.now() };
let rendered = new Map(); // ts -> { key, node } for the conversation on screen
let lastHome = "";
let lastModal = "";
let lastSidebar = "";
let lastPeople = "";
let modalFiles = {}; // block_id -> { files: [...] } picked in the open modal's file inputs
let inFlight = null;
let again = false;

// --- what the person has read, per conversation (kept in this browser) ----------------------------

function seenMap() {
  try {
    return JSON.parse(localStorage.getItem("workspace-seen-" + me) || "{}");
  } catch (err) {
    return {};
  }
}

function markSeen(conversation, ts) {
  const seen = seenMap();
  if (!ts || Number(seen[conversation] || 0) >= Number(ts)) return;
  seen[conversation] = ts;
  localStorage.setItem("workspace-seen-" + me, JSON.stringify(seen));
}

// --- talking to the workspace --------------------------------------------------------------------

function status(text, kind) {
  const box = $("status");
  box.textContent = text || "";
  box.className = kind || "";
}

async function refresh(force) {
  if (inFlight) {
    again = again || force;
    return inFlight;
  }
  const seen = Object.entries(seenMap()).map(([c, ts]) => c + ":" + ts).join(",");
  const query = "/ui/state?user=" + encodeURIComponent(me) + "&conversation=" + encodeURIComponent(where) +
    "&seen=" + encodeURIComponent(seen) + (force || version < 0 ? "" : "&since=" + version);
  inFlight = (async () => {
    try {
      const state = await (await fetch(query)).json();
      if (!state.unchanged) {
        if (!state.user && state.users.length) {
          me = state.users[0].id;
          version = -1;
          again = true;
        } else {
          render(state);
        }
      }
      if ($("status").className === "offline") status("");
    } catch (err) {
      status("The workspace server does not answer.", "offline");
    }
  })();
  await inFlight;
  inFlight = null;
  if (again) {
    again = false;
    await refresh(true);
  }
}

async function send(path, body) {
  status("");
  try {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ user: me }, body)),
    });
    const outcome = await response.json();
    if (!outcome.ok) status(outcome.error || "That did not work.", "error");
    await refresh(true);
    return outcome;
  } catch (err) {
    status("The workspace server does not answer.", "offline");
    return { ok: false };
  }
}

async function upload(path, file, extra) {
  const form = new FormData();
  form.append("user", me);
  form.append("file", file, file.name);
  for (const [k, v] of Object.entries(extra || {})) form.append(k, v);
  try {
    const outcome = await (await fetch(path, { method: "POST", body: form })).json();
    if (!outcome.ok) status(outcome.error || "The file did not go through.", "error");
    return outcome;
  } catch (err) {
    status("The workspace server does not answer.", "offline");
    return { ok: false };
  }
}

// --- rendering -----------------------------------------------------------------------------------

function toNode(html) {
  const holder = document.createElement("div");
  holder.innerHTML = html;
  return holder.firstElementChild;
}

const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const DAY_AND_TIME = Object.assign({ weekday: "short", day: "numeric", month: "short" }, TIME);

function when(ts) {
  const moment = new Date(parseFloat(ts) * 1000);
  const day = R.formatter("en-GB", { dateStyle: "short" });
  const today = day.format(moment) === day.format(new Date(R.ctx.now() * 1000));
  return R.formatter("en-GB", today ? TIME : DAY_AND_TIME).format(moment);
}

function renderMessage(m) {
  const body = m.blocks && m.blocks.length ? R.blocks(m.blocks, "message") : R.mrkdwn(m.text || "");
  const files = (m.files || []).map((f) => '<div class="file" data-testid="file">📎 ' +
    (f.url ? '<a data-testid="file-download" download="' + R.esc(f.name) + '" href="' +
      R.esc(f.url + "?user=" + encodeURIComponent(me)) + '">' + R.esc(f.name) + "</a>" : R.esc(f.name)) +
    ' <span class="meta">' + Math.max(1, Math.round(f.size / 1024)) + " KB</span></div>").join("");
  const note = m.ephemeral ? '<div class="ephemeral-note" data-testid="ephemeral-note">👁 Only visible to you</div>' : "";
  const app = m.is_bot ? ' <span class="app-badge">APP</span>' : "";
  return '<article class="message' + (m.ephemeral ? " ephemeral" : "") + '" data-testid="message" data-ts="' +
    R.esc(m.ts) + '" data-channel="' + R.esc(m.channel) + '">' + note + '<div class="byline"><span class="author">' +
    R.esc(m.user_name) + "</span>" + app + '<span class="meta"> ' + R.esc(when(m.ts)) +
    (m.edited ? ' <span data-testid="edited">(edited)</span>' : "") + "</span></div>" + '<div class="body">' + body +
    files + "</div></article>";
}

// A message is drawn again when it changes, and when the day changes (its time then shows the date).
function cacheKey(m) {
  return JSON.stringify(m) + R.formatter("en-GB", { dateStyle: "short" }).format(new Date(R.ctx.now() * 1000));
}

function renderConversation(list, conversation) {
  const box = $("conversation");
  const fresh = box.dataset.conversation !== conversation;
  if (fresh) {
    box.dataset.conversation = conversation;
    box.innerHTML = "";
    rendered = new Map();
  }
  const atBottom = fresh || box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  if (!list.length) {
    rendered = new Map();
    box.innerHTML = '<p class="meta empty">No messages yet. Try <code>/stage help</code>.</p>';
    return;
  }
  const empty = box.querySelector(".empty");
  if (empty) empty.remove();
  if (!box.firstChild) {
    // A conversation opened afresh: one parse for all its messages.
    box.innerHTML = list.map(renderMessage).join("");
    rendered = new Map(list.map((m, i) => [m.ts, { key: cacheKey(m), node: box.children[i] }]));
    box.scrollTop = box.scrollHeight;
    markSeen(conversation, list[list.length - 1].ts);
    return;
  }
  const next = new Map();
  const nodes = list.map((m) => {
    const key = cacheKey(m);
    const known = rendered.get(m.ts);
    if (known && known.key === key) {
      next.set(m.ts, known);
      return known.node;
    }
    const node = toNode(renderMessage(m));
    next.set(m.ts, { key, node });
    return node;
  });
  let child = box.firstChild;
  for (const node of nodes) {
    if (child === node) child = child.nextSibling;
    else box.insertBefore(node, child);
  }
  while (child) {
    const following = child.nextSibling;
    child.remove();
    child = following;
  }
  rendered = next;
  if (atBottom) box.scrollTop = box.scrollHeight;
  markSeen(conversation, list[list.length - 1].ts);
}

function renderSidebar(state) {
  const items = state.sidebar.map((c) => c.id === state.conversation_id && where !== "home" ?
    Object.assign({}, c, { unread: 0 }) : c);
  const key = JSON.stringify(items) + where;
  if (key === lastSidebar) return;
  lastSidebar = key;
  $("sidebar-list").innerHTML = items.map((c) => {
    const active = (c.kind === "home" && where === "home") || (c.kind !== "home" && where !== "home" &&
      c.id === state.conversation_id);
    const testid = c.kind === "home" ? "home-tab" : c.kind === "dm" ? "messages-tab" : "channel-tab";
    const label = c.kind === "home" ? "🏠 Home" : c.kind === "dm" ? "💬 " + R.esc(c.name) + " (app)" :
      "# " + R.esc(c.name);
    const badge = c.unread ? '<span class="unread" data-testid="unread">' + c.unread + "</span>" : "";
    return '<li><button type="button" class="nav' + (active ? " active" : "") + (c.unread ? " has-unread" : "") +
      '" data-testid="' + testid + '" data-conversation="' + R.esc(c.id) + '" data-kind="' + c.kind + '"' +
      ' aria-selected="' + active + '">' + label + badge + "</button></li>";
  }).join("");
}

function renderPeople(state) {
  const key = JSON.stringify(state.users);
  if (key !== lastPeople) {
    lastPeople = key;
    $("person-select").innerHTML = state.users.map((u) => '<option value="' + R.esc(u.id) + '">' +
      R.esc(u.real_name) + (u.title ? " — " + R.esc(u.title) : "") + "</option>").join("");
  }
  $("person-select").value = me;
}

function renderClock(state) {
  const clock = state.clock;
  clockAt = { now: clock.now, at: performance.now() };
  $("clock-controls").hidden = !clock.can_move;
  $("reset-demo").hidden = !clock.can_reset;
  $("mailbox-link").hidden = !state.mailbox;
  const offset = clock.offset;
  const hours = Math.round(Math.abs(offset) / 360) / 10;
  $("clock-offset").textContent = Math.abs(offset) < 60 ? "" :
    "(" + (offset > 0 ? "+" : "−") + (hours >= 48 ? Math.round(hours / 2.4) / 10 + " days" : hours + " h") + ")";
  tickClock();
}

function tickClock() {
  const now = clockAt.now + (performance.now() - clockAt.at) / 1000;
  $("clock-now").textContent = R.formatter("en-GB", {
    weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(now * 1000));
}

// Values typed in the modal on screen, by block_id, in the shape /ui/submit takes.
function readValue(node) {
  switch (node.dataset.kind) {
    case "multi":
      return Array.from(node.selectedOptions).map((o) => o.value);
    case "multi-text":
      return node.value.split(",").map((v) => v.trim()).filter(Boolean);
    case "checkboxes":
      return Array.from(node.querySelectorAll("input:checked")).map((i) => i.value);
    case "radio": {
      const chosen = node.querySelector("input:checked");
      return chosen ? chosen.value : null;
    }
    case "datetime":
      return node.value ? Math.floor(new Date(node.value).getTime() / 1000) : null;
    case "date":
      return R.readDate(node.value);
    case "time":
      return R.readTime(node.value);
    case "file":
      return modalFiles[node.dataset.blockId] || { files: [] };
    default:
      return node.value === "" ? null : node.value;
  }
}

function typedInModal() {
  const values = {};
  for (const field of $("modal").querySelectorAll(".input [data-kind]")) {
    const value = readValue(field);
    // A date or time that does not read yet stays as typed, so a re-render does not wipe it.
    const raw = ["date", "time"].includes(field.dataset.kind) && value === null && field.value;
    values[field.dataset.blockId] = raw ? field.value : value;
  }
  return values;
}

function submission() {
  const values = {};
  for (const field of $("modal").querySelectorAll(".input [data-kind]")) {
    let value = readValue(field);
    if (field.dataset.kind === "text" && field.dataset.rich && value !== null) {
      value = { rich_text_value: { type: "rich_text", elements: [{ type: "rich_text_section",
        elements: [{ type: "text", text: value }] }] } };
    }
    values[field.dataset.blockId] = { [field.dataset.actionId]: value };
  }
  return values;
}

function renderModal(state) {
  const top = state.modals.length ? state.modals[state.modals.length - 1] : null;
  const key = top ? top.id + top.hash + JSON.stringify(top.errors) : "";
  if (key === lastModal) return;
  const sameView = top && $("modal").dataset.viewId === top.id;
  const entered = Object.assign({}, top ? top.values : {}, sameView ? typedInModal() : {});
  if (!sameView) modalFiles = {};
  lastModal = key;
  $("modal-backdrop").hidden = !top;
  if (!top) {
    $("modal").innerHTML = "";
    delete $("modal").dataset.viewId;
    return;
  }
  for (const [blockId, value] of Object.entries(entered)) {
    if (value && value.files) modalFiles[blockId] = value;
  }
  const stack = state.modals.length > 1 ? '<span class="meta" data-testid="modal-depth">' + top.depth + " of " +
    state.modals.length + "</span>" : "";
  $("modal").innerHTML = '<div class="modal-head"><h2 data-testid="modal-title">' + R.esc(top.title) + "</h2>" +
    stack + "</div>" + '<div class="modal-body">' + R.blocks(top.blocks, "modal", top.errors, entered) + "</div>" +
    '<div class="modal-buttons"><button type="button" class="bk" data-testid="modal-close">' +
    R.esc(state.modals.length > 1 ? "‹ " + top.close : top.close) + "</button>" +
    (top.submit ? '<button type="submit" class="bk primary" data-testid="modal-submit">' + R.esc(top.submit) +
      "</button>" : "") + "</div>";
  $("modal").dataset.viewId = top.id;
  for (const el of $("modal").querySelectorAll('[data-kind="text"]')) {
    const spec = findElement(top.blocks, el.dataset.blockId, el.dataset.actionId);
    if (spec && spec.type === "rich_text_input") el.dataset.rich = "1";
  }
}

function findElement(blocks, blockId, actionId) {
  for (const b of blocks || []) {
    if (b.block_id !== blockId) continue;
    for (const e of [b.element, b.accessory, ...(b.elements || [])]) if (e && e.action_id === actionId) return e;
  }
  return null;
}

function render(state) {
  current = state;
  version = state.version;
  Object.assign(R.ctx, {
    names: state.names || {},
    users: state.users || [],
    channels: (state.sidebar || []).filter((c) => c.kind === "channel"),
    tz: state.tz || "Europe/Brussels",
    locale: state.locale || "en-GB",
    now: () => clockAt.now + (performance.now() - clockAt.at) / 1000,
  });
  renderClock(state);
  renderPeople(state);
  if (!state.user) return;
  if (where && where !== "home" && !state.sidebar.some((c) => c.id === where)) where = "";
  renderSidebar(state);
  const home = where === "home";
  $("home-panel").hidden = !home;
  $("messages-panel").hidden = home;
  if (home) {
    const key = JSON.stringify(state.home);
    if (key !== lastHome) {
      lastHome = key;
      $("home").innerHTML = state.home ? R.blocks(state.home.blocks, "home") :
        '<p class="meta">The bot has not published a Home tab for you (yet).</p>';
    }
  } else {
    const item = state.sidebar.find((c) => c.id === state.conversation_id);
    const isDm = item && item.kind === "dm";
    $("conversation-title").textContent = isDm ? "Direct messages with " + item.name :
      "#" + (item ? item.name : "");
    $("attach").hidden = !isDm;
    $("composer").placeholder = isDm ? "Message the bot, or type a command such as /stage help" :
      "Write in #" + (item ? item.name : "") + ", or type a command such as /stage help";
    renderConversation(state.conversation, state.conversation_id);
  }
  renderModal(state);
}

// --- acting -------------------------------------------------------------------------------------

// Where an element lives: a message (channel + ts) or a view (modal or Home tab).
function origin(el) {
  const message = el.closest(".message");
  if (message) return { channel: message.dataset.channel, ts: message.dataset.ts };
  if (el.closest("#modal")) return { view_id: $("modal").dataset.viewId, values: submission() };
  return { view_id: current && current.home ? current.home.id : "" };
}

function confirmed(el) {
  if (!el.dataset.confirm) return Promise.resolve(true);
  const spec = JSON.parse(el.dataset.confirm);
  $("confirm-title").textContent = (spec.title || {}).text || "Are you sure?";
  $("confirm-text").innerHTML = R.textObject(spec.text);
  $("confirm-yes").textContent = (spec.confirm || {}).text || "Yes";
  $("confirm-yes").className = "bk " + (spec.style === "danger" ? "danger" : "primary");
  $("confirm-no").textContent = (spec.deny || {}).text || "Cancel";
  $("confirm-backdrop").hidden = false;
  return new Promise((resolve) => {
    const done = (answer) => {
      $("confirm-backdrop").hidden = true;
      $("confirm-yes").onclick = $("confirm-no").onclick = null;
      resolve(answer);
    };
    $("confirm-yes").onclick = () => done(true);
    $("confirm-no").onclick = () => done(false);
  });
}

async function act(el, value) {
  if (!(await confirmed(el))) return;
  await send("/ui/click", Object.assign({ action_id: el.dataset.actionId, block_id: el.dataset.blockId, value },
    origin(el)));
}

document.addEventListener("click", (event) => {
  const button = event.target.closest('button[data-kind="button"]');
  if (button) {
    if (button.dataset.url) window.open(button.dataset.url, "_blank", "noopener");
    act(button, button.dataset.value || null);
    return;
  }
  const item = event.target.closest(".overflow .menu-item");
  if (item) {
    const menu = item.closest(".overflow");
    menu.open = false;
    act(menu, item.dataset.option);
    return;
  }
  const nav = event.target.closest("button.nav");
  if (nav) {
    where = nav.dataset.kind === "home" ? "home" : nav.dataset.kind === "dm" ? "" : nav.dataset.conversation;
    lastSidebar = "";
    if (where === "home") send("/ui/home", {});
    else refresh(true);
    return;
  }
  if (event.target.closest("[data-testid=modal-close]")) send("/ui/close", { view_id: $("modal").dataset.viewId });
});

document.addEventListener("change", async (event) => {
  const target = event.target;
  if (target.type === "file" && target.closest(".file-input")) {
    const holder = target.closest(".file-input");
    const picked = modalFiles[holder.dataset.blockId] = { files: [] };
    for (const file of target.files) {
      const outcome = await upload("/ui/modal-file", file);
      if (outcome.ok) picked.files.push(outcome.file);
    }
    holder.querySelector(".picked").innerHTML = R.pickedFiles(picked.files);
    return;
  }
  const field = target.closest("[data-live][data-kind]");
  if (!field || field.dataset.kind === "button" || field.dataset.kind === "overflow" || field.dataset.kind === "text") {
    return;
  }
  const value = readValue(field);
  if (value === null || (Array.isArray(value) && !value.length && field.dataset.kind !== "checkboxes")) return;
  act(field, value);
});

// A text input with dispatch_action tells the bot when the person presses Enter, as in Slack.
document.addEventListener("keydown", (event) => {
  const field = event.target.closest && event.target.closest('[data-live][data-kind="text"]');
  if (field && event.key === "Enter" && field.tagName === "INPUT") {
    event.preventDefault();
    act(field, readValue(field));
  }
});

$("modal").addEventListener("submit", (event) => {
  event.preventDefault();
  send("/ui/submit", { view_id: $("modal").dataset.viewId, values: submission() });
});

$("composer").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer-form").requestSubmit();
  }
});

$("composer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("composer").value.trim();
  if (!text) return;
  $("composer").value = "";
  const channel = where === "home" ? "" : where;
  send(text.startsWith("/") ? "/ui/command" : "/ui/message", { text, channel });
});

async function shareFiles(files) {
  for (const file of files) {
    status("Sending " + file.name + " to the bot…", "info");
    const outcome = await upload("/ui/upload", file);
    if (outcome.ok) status("");
  }
  await refresh(true);
}

$("file-input").addEventListener("change", (event) => {
  shareFiles(Array.from(event.target.files));
  event.target.value = "";
});

const panel = $("messages-panel");
panel.addEventListener("dragover", (event) => {
  if ($("attach").hidden) return;
  event.preventDefault();
  panel.classList.add("dropping");
});
panel.addEventListener("dragleave", () => panel.classList.remove("dropping"));
panel.addEventListener("drop", (event) => {
  panel.classList.remove("dropping");
  if ($("attach").hidden) return;
  event.preventDefault();
  shareFiles(Array.from(event.dataTransfer.files));
});

$("person-select").addEventListener("change", (event) => {
  me = event.target.value;
  localStorage.setItem("workspace-user", me);
  where = "";
  lastHome = lastModal = lastSidebar = null; // "nothing drawn yet": even an empty state is drawn again
  delete $("conversation").dataset.conversation;
  refresh(true);
});

async function moveClock(body, label) {
  const outcome = await send("/ui/clock", body);
  if (outcome.ok) status(label + ": it is now " + $("clock-now").textContent + ".", "info");
}

$("clock-hour").addEventListener("click", () => moveClock({ seconds: 3600 }, "One hour later"));
$("clock-day").addEventListener("click", () => moveClock({ seconds: 86400 }, "One day later"));
$("clock-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if ($("clock-date").value) moveClock({ to: $("clock-date").value }, "Time jumped");
});

$("reset-demo").addEventListener("click", async () => {
  const ok = await confirmed({ dataset: { confirm: JSON.stringify({
    title: { text: "Reset the demo?" },
    text: { type: "plain_text", text: "All demo data goes back to the start, every conversation is emptied and the clock returns to real time." },
    confirm: { text: "Reset" }, style: "danger",
  }) } });
  if (!ok) return;
  for (const key of Object.keys(localStorage)) if (key.startsWith("workspace-seen-")) localStorage.removeItem(key);
  const outcome = await send("/ui/reset", {});
  if (outcome.ok) status("The demo data is fresh again.", "info");
});

refresh(true);
setInterval(() => refresh(false), POLL_MS);
setInterval(tickClock, 1000);
