// The local workspace page: pick a person, talk to the bot, click its buttons, fill its modals.
// It polls /ui/state every second and re-renders only what changed, so typing is never interrupted.
"use strict";

const $ = (id) => document.getElementById(id);
let names = {};
let me = localStorage.getItem("workspace-user") || "";
let lastConversation = "";
let lastHome = "";
let lastModal = "";
let current = null;
let typed = {}; // what the person entered in the open modal, by block_id

function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

// Slack escapes &, < and > in message text; undo that before escaping for HTML.
function unslack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emphasis(html) {
  const edge = "(?=[\\s).,!?:;]|$)";
  return html
    .replace(new RegExp("(^|[\\s(])\\*([^*\\n]+)\\*" + edge, "g"), "$1<b>$2</b>")
    .replace(new RegExp("(^|[\\s(])_([^_\\n]+)_" + edge, "g"), "$1<i>$2</i>")
    .replace(new RegExp("(^|[\\s(])~([^~\\n]+)~" + edge, "g"), "$1<s>$2</s>");
}

function inline(text) {
  // Odd parts are code spans: no formatting inside them.
  return esc(unslack(text)).split(/(`[^`\n]+`)/).map((part, i) =>
    i % 2 ? "<code>" + part.slice(1, -1) + "</code>" : emphasis(part)).join("");
}

function token(inner) {
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? "" : unslack(inner.slice(bar + 1));
  if (target.startsWith("@")) {
    return '<span class="mention">@' + esc(names[target.slice(1)] || label || target.slice(1)) + "</span>";
  }
  if (target.startsWith("#")) {
    return '<span class="mention">#' + esc(label || names[target.slice(1)] || target.slice(1)) + "</span>";
  }
  if (target.startsWith("!")) return '<span class="mention">@' + esc(label || target.slice(1)) + "</span>";
  if (/^(https?:|mailto:)/.test(target)) {
    const url = unslack(target);
    return '<a href="' + esc(url) + '" target="_blank" rel="noopener">' + esc(label || url) + "</a>";
  }
  return esc("<" + inner + ">");
}

function mrkdwn(text) {
  const out = [];
  const re = /<([^<>]*)>/g;
  let last = 0;
  let match;
  while ((match = re.exec(text)) !== null) {
    out.push(inline(text.slice(last, match.index)), token(match[1]));
    last = re.lastIndex;
  }
  out.push(inline(text.slice(last)));
  return out.join("").replace(/\n/g, "<br>");
}

function textObject(obj) {
  if (!obj) return "";
  return obj.type === "mrkdwn" ? mrkdwn(obj.text || "") : esc(obj.text || "").replace(/\n/g, "<br>");
}

// Interactive elements carry what /ui/click needs in data- attributes.
function element(el, blockId, inModal) {
  const data = ' data-action-id="' + esc(el.action_id) + '" data-block-id="' + esc(blockId) + '"';
  if (el.type === "button") {
    const style = el.style ? " " + esc(el.style) : "";
    return '<button type="button" class="bk' + style + '" data-testid="button"' + data +
      ' data-value="' + esc(el.value ?? "") + '">' + textObject(el.text) + "</button>";
  }
  const entered = inModal ? typed[blockId] : undefined;
  if (el.type === "static_select" || el.type === "overflow" || el.type === "radio_buttons") {
    const options = (el.options || []).concat(...(el.option_groups || []).map((g) => g.options || []));
    const placeholder = el.placeholder ? textObject(el.placeholder) : "Choose…";
    const chosen = entered ?? (el.initial_option || {}).value;
    return "<select" + data + ' data-kind="select"><option value="">' + placeholder + "</option>" +
      options.map((o) => '<option value="' + esc(o.value) + '"' + (o.value === chosen ? " selected" : "") + ">" +
        textObject(o.text) + "</option>").join("") + "</select>";
  }
  if (el.type === "datepicker") {
    return '<input type="date"' + data + ' data-kind="select" value="' + esc(entered ?? el.initial_date ?? "") + '">';
  }
  if (inModal && el.type === "plain_text_input") {
    const tag = el.multiline ? "textarea" : "input";
    const initial = esc(entered ?? el.initial_value ?? "");
    return "<" + tag + data + ' data-kind="input"' + (el.multiline ? ">" + initial + "</textarea>" :
      ' value="' + initial + '">');
  }
  return '<span class="meta">[' + esc(el.type) + "]</span>";
}

function block(b, errors, inModal) {
  const id = b.block_id || "";
  switch (b.type) {
    case "header":
      return '<div class="block"><h3>' + textObject(b.text) + "</h3></div>";
    case "divider":
      return "<hr>";
    case "section": {
      const fields = b.fields ? '<div class="fields">' + b.fields.map((f) => "<div>" + textObject(f) +
        "</div>").join("") + "</div>" : "";
      const accessory = b.accessory && b.accessory.type !== "image" ? element(b.accessory, id, inModal) : "";
      return '<div class="block section"><div>' + textObject(b.text) + fields + "</div>" + accessory + "</div>";
    }
    case "context":
      return '<div class="block context">' + (b.elements || []).map((e) =>
        e.type === "image" ? esc(e.alt_text || "") : textObject(e)).join(" · ") + "</div>";
    case "actions":
      return '<div class="block actions">' + (b.elements || []).map((e) => element(e, id, inModal)).join("") +
        "</div>";
    case "image":
      return '<div class="block meta">[image: ' + esc(b.alt_text || "") + "]</div>";
    case "input": {
      const error = errors && errors[id] ? '<div class="field-error" data-testid="field-error">' +
        esc(errors[id]) + "</div>" : "";
      return '<div class="block input"><label>' + textObject(b.label) + "</label>" +
        element(b.element || {}, id, inModal) + error + "</div>";
    }
    default:
      return '<div class="block meta">[' + esc(b.type) + " block]</div>";
  }
}

function blocks(list, errors, inModal) {
  return (list || []).map((b) => block(b, errors, inModal)).join("");
}

function renderMessage(m) {
  const body = m.blocks && m.blocks.length ? blocks(m.blocks) : mrkdwn(m.text || "");
  const files = (m.files || []).map((f) => '<div class="meta">📎 ' + esc(f.name) + "</div>").join("");
  const note = m.ephemeral ? '<div class="ephemeral-note" data-testid="ephemeral-note">Only visible to you</div>' : "";
  const time = new Date(parseFloat(m.ts) * 1000).toLocaleTimeString();
  return '<div class="message' + (m.ephemeral ? " ephemeral" : "") + '" data-testid="message" data-ts="' +
    esc(m.ts) + '" data-channel="' + esc(m.channel) + '">' + note + '<span class="author">' +
    esc(m.user_name) + '</span><span class="meta">' + esc(time) + (m.edited ? " (edited)" : "") + "</span>" +
    '<div class="body">' + body + files + "</div></div>";
}

function render(state) {
  current = state;
  names = state.names || {};
  const select = $("person-select");
  if (select.options.length !== state.users.length) {
    select.innerHTML = state.users.map((u) => '<option value="' + esc(u.id) + '">' + esc(u.real_name) +
      " (" + esc(u.name) + ")</option>").join("");
  }
  select.value = me;
  if (!state.user) return;
  const conversation = JSON.stringify(state.conversation);
  if (conversation !== lastConversation) {
    lastConversation = conversation;
    const box = $("conversation");
    box.innerHTML = state.conversation.length ? state.conversation.map(renderMessage).join("") :
      '<p class="meta">No messages yet. Try <code>/stage help</code>.</p>';
    box.scrollTop = box.scrollHeight;
  }
  const home = JSON.stringify(state.home);
  if (home !== lastHome) {
    lastHome = home;
    $("home").innerHTML = state.home ? blocks(state.home.blocks) : '<p class="meta">The bot has not published a Home tab for you.</p>';
  }
  const top = state.modals.length ? state.modals[state.modals.length - 1] : null;
  const modalKey = top ? top.id + top.hash + JSON.stringify(top.errors) : "";
  if (modalKey !== lastModal) {
    lastModal = modalKey;
    typed = top ? top.values || {} : {};
    $("modal-backdrop").hidden = !top;
    $("modal").innerHTML = top ? '<h2 data-testid="modal-title">' + esc(top.title) + "</h2>" +
      blocks(top.blocks, top.errors, true) + '<div class="modal-buttons">' +
      '<button type="button" class="bk" data-testid="modal-close">' + esc(top.close) + "</button>" +
      (top.submit ? '<button type="submit" class="bk primary" data-testid="modal-submit">' + esc(top.submit) +
        "</button>" : "") + "</div>" : "";
    if (top) $("modal").dataset.viewId = top.id;
  }
}

async function refresh() {
  try {
    const response = await fetch("/ui/state?user=" + encodeURIComponent(me));
    const state = await response.json();
    if (!state.user && state.users.length) {
      me = state.users[0].id;
      return refresh();
    }
    render(state);
  } catch (err) {
    $("status").textContent = "The workspace server does not answer.";
  }
}

async function send(path, body) {
  $("status").textContent = "";
  try {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ user: me }, body)),
    });
    const outcome = await response.json();
    if (!outcome.ok) $("status").textContent = outcome.error || "That did not work.";
  } catch (err) {
    $("status").textContent = "The workspace server does not answer.";
  }
  await refresh();
}

function showTab(home) {
  $("home-tab").setAttribute("aria-selected", String(home));
  $("messages-tab").setAttribute("aria-selected", String(!home));
  $("home-panel").hidden = !home;
  $("messages-panel").hidden = home;
}

// Where a clicked element lives: a message (channel + ts) or a view (modal or Home tab).
function origin(el) {
  const message = el.closest(".message");
  if (message) return { channel: message.dataset.channel, ts: message.dataset.ts };
  if (el.closest("#modal")) return { view_id: $("modal").dataset.viewId };
  return { view_id: current && current.home ? current.home.id : "" };
}

function modalValues() {
  const values = {};
  for (const field of $("modal").querySelectorAll("[data-block-id]")) {
    if (!field.closest(".input")) continue;
    const value = field.value === "" ? null : field.value;
    values[field.dataset.blockId] = { [field.dataset.actionId]: value };
  }
  return values;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action-id]");
  if (button) {
    send("/ui/click", Object.assign({ action_id: button.dataset.actionId, block_id: button.dataset.blockId,
      value: button.dataset.value || null }, origin(button)));
  }
  if (event.target.closest("[data-testid=modal-close]")) {
    send("/ui/close", { view_id: $("modal").dataset.viewId });
  }
});

document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-kind=select]");
  if (field && !field.closest(".input") && field.value) {
    send("/ui/click", Object.assign({ action_id: field.dataset.actionId, block_id: field.dataset.blockId,
      value: field.value }, origin(field)));
  }
});

$("modal").addEventListener("submit", (event) => {
  event.preventDefault();
  send("/ui/submit", { view_id: $("modal").dataset.viewId, values: modalValues() });
});

$("composer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("composer").value.trim();
  if (!text) return;
  $("composer").value = "";
  send(text.startsWith("/") ? "/ui/command" : "/ui/message", { text });
});

$("person-select").addEventListener("change", (event) => {
  me = event.target.value;
  localStorage.setItem("workspace-user", me);
  lastConversation = lastHome = lastModal = "";
  refresh();
});

$("messages-tab").addEventListener("click", () => showTab(false));
$("home-tab").addEventListener("click", () => {
  showTab(true);
  send("/ui/home", {});
});

refresh();
setInterval(refresh, 1000);
