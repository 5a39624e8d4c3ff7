// Block Kit and mrkdwn as HTML: pure functions of what the bot sent (no fetches, no page state).
// Interactive elements carry what the page needs to act on them in data- attributes:
// data-action-id, data-block-id, data-kind, and data-live="1" when using them notifies the bot.
"use strict";

const Render = (() => {
  const ctx = {
    names: {}, users: [], channels: [], tz: "Europe/Brussels", locale: "en-GB", now: () => Date.now() / 1000,
  };

  // What Slack's own controls say, in the person's language (Slack draws them; the bot sends no text).
  const CONTROLS = {
    nl: { day: "dd", month: "mm", year: "jjjj", hour: "uu", minute: "mm", chooseFile: "Bestand kiezen",
      noFile: "Geen bestand gekozen", optional: "(optioneel)" },
    en: { day: "dd", month: "mm", year: "yyyy", hour: "hh", minute: "mm", chooseFile: "Choose file",
      noFile: "No file chosen", optional: "(optional)" },
  };

  function words() {
    return CONTROLS[String(ctx.locale || "en").slice(0, 2).toLowerCase()] || CONTROLS.en;
  }

  // The order and separator of a date in the person's locale, e.g. ["day", "month", "year"] and "/".
  function dateShape() {
    const shape = new Intl.DateTimeFormat(ctx.locale || "en-GB", { day: "2-digit", month: "2-digit", year: "numeric" })
      .formatToParts(new Date(Date.UTC(2027, 1, 15, 12)));
    const order = shape.filter((p) => ["day", "month", "year"].includes(p.type)).map((p) => p.type);
    const separator = (shape.find((p) => p.type === "literal") || { value: "/" }).value;
    return { order, separator };
  }

  function datePlaceholder() {
    const { order, separator } = dateShape();
    return order.map((part) => words()[part]).join(separator);
  }

  // "2027-02-15" as the person writes it ("15/02/2027"); anything else is shown as typed.
  function showDate(value) {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value ?? ""));
    if (!iso) return String(value ?? "");
    const parts = { year: iso[1], month: iso[2], day: iso[3] };
    const { order, separator } = dateShape();
    return order.map((part) => parts[part]).join(separator);
  }

  // What the person typed, as the ISO date Slack's datepicker sends; null when it is no date.
  function readDate(text) {
    const typed = String(text ?? "").trim();
    let found = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
    let parts = found ? { year: found[1], month: found[2], day: found[3] } : null;
    if (!parts) {
      const numbers = typed.split(/[^0-9]+/).filter(Boolean);
      if (numbers.length !== 3) return null;
      parts = {};
      dateShape().order.forEach((part, i) => { parts[part] = numbers[i]; });
    }
    const year = Number(parts.year), month = Number(parts.month), day = Number(parts.day);
    const moment = new Date(Date.UTC(year, month - 1, day));
    if (String(parts.year).length !== 4 || moment.getUTCMonth() !== month - 1 || moment.getUTCDate() !== day) {
      return null;
    }
    return year + "-" + String(month).padStart(2, "0") + "-" + String(day).padStart(2, "0");
  }

  // "14:00" from "14:00", "14.00", "14u", "9u30"; null when it is no time of day.
  function readTime(text) {
    const found = /^(\d{1,2})(?:[:.hu](\d{2})?)?$/i.exec(String(text ?? "").trim());
    if (!found) return null;
    const hour = Number(found[1]), minute = Number(found[2] || 0);
    if (hour > 23 || minute > 59) return null;
    return String(hour).padStart(2, "0") + ":" + String(minute).padStart(2, "0");
  }
  let uid = 0;

  function esc(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  // Slack escapes &, < and > in message text; undo that before escaping for HTML.
  function unslack(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  const EMOJI = {
    white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️", calendar: "📅", date: "📅",
    hourglass: "⌛", hourglass_flowing_sand: "⏳", bell: "🔔", memo: "📝", page_facing_up: "📄",
    paperclip: "📎", wave: "👋", tada: "🎉", school: "🏫", mag: "🔍", bulb: "💡", lock: "🔒",
    information_source: "ℹ️", arrow_right: "➡️", arrow_left: "⬅️", question: "❓", exclamation: "❗",
    thumbsup: "👍", "+1": "👍", eyes: "👀", clock3: "🕒", email: "📧", phone: "📞", pushpin: "📌",
  };

  // *bold*, _italic_, ~strike~ only at word edges, as Slack reads them; tags we add count as edges.
  const BEFORE = "(^|[\\s(\\[{>\"'.,;:!?-])";
  const AFTER = "(?=[\\s)\\]}<\"'.,;:!?-]|$)";
  const BOLD = new RegExp(BEFORE + "\\*([^*\\n]+?)\\*" + AFTER, "g");
  const ITALIC = new RegExp(BEFORE + "_([^_\\n]+?)_" + AFTER, "g");
  const STRIKE = new RegExp(BEFORE + "~([^~\\n]+?)~" + AFTER, "g");
  const SHORTCODE = /:([a-z0-9_+-]+):/g;

  function emphasis(html) {
    if (!/[*_~:]/.test(html)) return html;
    return html.replace(BOLD, "$1<b>$2</b>").replace(ITALIC, "$1<i>$2</i>").replace(STRIKE, "$1<s>$2</s>")
      .replace(SHORTCODE, (all, name) => EMOJI[name] || all);
  }

  // Intl formatters are slow to build: one per time zone and set of options.
  const formatters = new Map();
  function formatter(locale, options) {
    const key = locale + JSON.stringify(options) + ctx.tz;
    if (!formatters.has(key)) {
      formatters.set(key, new Intl.DateTimeFormat(locale, Object.assign({ timeZone: ctx.tz }, options)));
    }
    return formatters.get(key);
  }

  function inline(text) {
    // Odd parts are code spans: no formatting inside them.
    return esc(unslack(text)).split(/(`[^`\n]+`)/).map((part, i) =>
      i % 2 ? "<code>" + part.slice(1, -1) + "</code>" : emphasis(part)).join("");
  }

  // --- dates: <!date^1392734382^{date_short} at {time}^optional_link|fallback> -------------------------

  function parts(seconds, options) {
    const found = {};
    for (const p of formatter("en-US", options).formatToParts(new Date(seconds * 1000))) found[p.type] = p.value;
    return found;
  }

  function ordinal(day) {
    const n = Number(day);
    const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] || "th";
    return n + suffix;
  }

  function dayKey(seconds) {
    const p = parts(seconds, { year: "numeric", month: "2-digit", day: "2-digit" });
    return p.year + "-" + p.month + "-" + p.day;
  }

  function pretty(seconds) {
    const key = dayKey(seconds);
    for (const [shift, word] of [[0, "today"], [-1, "yesterday"], [1, "tomorrow"]]) {
      if (dayKey(ctx.now() + shift * 86400) === key) return word;
    }
    return null;
  }

  function ago(seconds) {
    const delta = ctx.now() - seconds;
    const future = delta < 0;
    const abs = Math.abs(delta);
    const units = [[31536000, "year"], [2592000, "month"], [86400, "day"], [3600, "hour"], [60, "minute"]];
    for (const [size, name] of units) {
      if (abs >= size) {
        const n = Math.floor(abs / size);
        const label = n + " " + name + (n === 1 ? "" : "s");
        return future ? "in " + label : label + " ago";
      }
    }
    return "just now";
  }

  function dateToken(seconds, token) {
    const long = parts(seconds, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
    const short = parts(seconds, { year: "numeric", month: "short", day: "numeric" });
    const time = parts(seconds, { hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true });
    const formats = {
      date_num: () => dayKey(seconds),
      date: () => long.month + " " + ordinal(long.day) + ", " + long.year,
      date_short: () => short.month + " " + short.day + ", " + short.year,
      date_long: () => long.weekday + ", " + long.month + " " + ordinal(long.day) + ", " + long.year,
      time: () => time.hour + ":" + time.minute + " " + time.dayPeriod,
      time_secs: () => time.hour + ":" + time.minute + ":" + time.second + " " + time.dayPeriod,
      ago: () => ago(seconds),
    };
    if (token.endsWith("_pretty")) {
      const word = pretty(seconds);
      const base = token.slice(0, -"_pretty".length);
      return word ? word[0].toUpperCase() + word.slice(1) : (formats[base] || formats.date)();
    }
    return formats[token] ? formats[token]() : null;
  }

  function slackDate(inner, label) {
    const [, stamp, template, link] = inner.split("^");
    const seconds = Number(stamp);
    if (!Number.isFinite(seconds) || template === undefined) return esc(label || inner);
    const text = template.replace(/\{([a-z_]+)\}/g, (all, token) => dateToken(seconds, token) ?? all);
    const iso = new Date(seconds * 1000).toISOString();
    const body = '<time class="slack-date" data-testid="slack-date" datetime="' + esc(iso) + '">' + esc(text) +
      "</time>";
    return link ? '<a href="' + esc(link) + '" target="_blank" rel="noopener">' + body + "</a>" : body;
  }

  // --- <...> tokens: mentions, channels, special mentions, dates and links ---------------------------

  function token(inner) {
    const bar = inner.indexOf("|");
    const target = bar < 0 ? inner : inner.slice(0, bar);
    const label = bar < 0 ? "" : unslack(inner.slice(bar + 1));
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return '<span class="mention" data-testid="mention" data-user="' + esc(id) + '">@' +
        esc(ctx.names[id] || label || id) + "</span>";
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      return '<span class="mention">#' + esc(label || ctx.names[id] || id) + "</span>";
    }
    if (target.startsWith("!date^")) return slackDate(target, label);
    if (target.startsWith("!subteam^")) return '<span class="mention">' + esc(label || "@team") + "</span>";
    if (target.startsWith("!")) return '<span class="mention">@' + esc(label || target.slice(1)) + "</span>";
    if (/^(https?:|mailto:|tel:)/.test(target)) {
      const url = unslack(target);
      const shown = label || url.replace(/^mailto:/, "");
      return '<a href="' + esc(url) + '" target="_blank" rel="noopener">' + esc(shown) + "</a>";
    }
    return esc("<" + inner + ">");
  }

  function line(text) {
    const out = [];
    const re = /<([^<>]*)>/g;
    let last = 0;
    let match;
    while ((match = re.exec(text)) !== null) {
      out.push(inline(text.slice(last, match.index)), token(match[1]));
      last = re.lastIndex;
    }
    out.push(inline(text.slice(last)));
    return out.join("");
  }

  // Lines: quotes (> ...), list items (•, -, 1.) and plain lines; ``` fences become preformatted blocks.
  function mrkdwn(text) {
    const chunks = String(text ?? "").split("```");
    return chunks.map((chunk, i) => {
      if (i % 2) return "<pre>" + esc(unslack(chunk.replace(/^\n/, ""))) + "</pre>";
      return chunk.split("\n").map((raw) => {
        const quote = raw.match(/^(?:&gt;|>)\s?(.*)$/);
        if (quote) return '<blockquote>' + line(quote[1]) + "</blockquote>";
        const item = raw.match(/^(\s*)([•◦▪\-*]|\d+[.)])\s+(.*)$/);
        if (item && !(item[2] === "*" && item[3].includes("*"))) {
          const marker = item[2] === "-" || item[2] === "*" ? "•" : item[2];
          return '<div class="li" style="margin-left:' + (item[1].length * 0.5 + 0.3) + 'rem"><span class="marker">' +
            esc(marker) + '</span><span class="item">' + line(item[3]) + "</span></div>";
        }
        return raw === "" ? '<div class="gap"></div>' : '<div class="ln">' + line(raw) + "</div>";
      }).join("");
    }).join("");
  }

  function textObject(obj) {
    if (!obj) return "";
    if (typeof obj === "string") return esc(obj);
    return obj.type === "mrkdwn" ? mrkdwn(obj.text || "") : esc(obj.text || "").replace(/\n/g, "<br>");
  }

  function plain(obj) {
    return obj ? esc(obj.text || "") : "";
  }

  // --- elements ------------------------------------------------------------------------------------

  function options(el) {
    return (el.options || []).concat(...(el.option_groups || []).map((g) => g.options || []));
  }

  function optionTags(el, chosen) {
    const tag = (o) => '<option value="' + esc(o.value) + '"' + (chosen.includes(o.value) ? " selected" : "") + ">" +
      plain(o.text) + "</option>";
    if (el.option_groups) {
      return el.option_groups.map((g) => '<optgroup label="' + plain(g.label) + '">' +
        (g.options || []).map(tag).join("") + "</optgroup>").join("");
    }
    return (el.options || []).map(tag).join("");
  }

  // Choices for the selects Slack fills itself (people, conversations, channels).
  function generated(el) {
    if (el.type.includes("users_select")) return ctx.users.map((u) => ({ text: { text: u.real_name }, value: u.id }));
    return ctx.channels.map((c) => ({ text: { text: "#" + c.name }, value: c.id }));
  }

  function asList(value) {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
  }

  function initial(el) {
    if (el.initial_option) return el.initial_option.value;
    if (el.initial_options) return el.initial_options.map((o) => o.value);
    for (const key of ["initial_value", "initial_date", "initial_time", "initial_date_time", "initial_user",
      "initial_users", "initial_conversation", "initial_conversations", "initial_channel", "initial_channels"]) {
      if (el[key] !== undefined) return el[key];
    }
    return undefined;
  }

  function attrs(el, blockId, kind, live) {
    let out = ' data-action-id="' + esc(el.action_id) + '" data-block-id="' + esc(blockId) + '" data-kind="' +
      kind + '"';
    if (live) out += ' data-live="1"';
    if (el.confirm) out += " data-confirm='" + esc(JSON.stringify(el.confirm)) + "'";
    return out;
  }

  function localDateTime(seconds) {
    if (!seconds) return "";
    const d = new Date(Number(seconds) * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes());
  }

  // `entered` is what the person typed in this input before a re-render; `live` = acting notifies the bot.
  function element(el, blockId, live, entered) {
    const value = entered !== undefined ? entered : initial(el);
    const placeholder = el.placeholder ? ' placeholder="' + plain(el.placeholder) + '"' : "";
    switch (el.type) {
      case "button":
      case "workflow_button": {
        const style = el.style ? " " + esc(el.style) : "";
        const url = el.url ? ' data-url="' + esc(el.url) + '"' : "";
        return '<button type="button" class="bk' + style + '" data-testid="button"' + attrs(el, blockId, "button", true) +
          url + ' data-value="' + esc(el.value ?? "") + '">' + textObject(el.text) + "</button>";
      }
      case "overflow":
        return '<details class="overflow" data-testid="overflow"' + attrs(el, blockId, "overflow", true) +
          '><summary title="More actions">⋯</summary><div class="menu">' + (el.options || []).map((o) =>
          '<button type="button" class="menu-item" data-option="' + esc(o.value) + '">' + plain(o.text) +
          "</button>").join("") + "</div></details>";
      case "static_select":
      case "users_select":
      case "conversations_select":
      case "channels_select": {
        const list = el.type === "static_select" ? el : { options: generated(el) };
        const prompt = el.placeholder ? plain(el.placeholder) : "Choose…";
        return "<select" + attrs(el, blockId, "select", live) + '><option value="">' + prompt + "</option>" +
          optionTags(list, asList(value)) + "</select>";
      }
      case "multi_static_select":
      case "multi_users_select":
      case "multi_conversations_select":
      case "multi_channels_select": {
        const list = el.type === "multi_static_select" ? el : { options: generated(el) };
        const size = Math.min(6, Math.max(2, options(list).length));
        return '<select multiple size="' + size + '"' + attrs(el, blockId, "multi", live) + ">" +
          optionTags(list, asList(value)) + "</select>";
      }
      case "external_select":
      case "multi_external_select":
        return '<input type="text"' + attrs(el, blockId, el.type.startsWith("multi") ? "multi-text" : "text", live) +
          ' placeholder="(options the bot would load: type a value)">';
      case "datepicker":
        return '<input type="text" inputmode="numeric" class="date-field" data-testid="date-field"' +
          attrs(el, blockId, "date", live) + ' placeholder="' + esc(datePlaceholder()) + '" value="' +
          esc(showDate(value)) + '">';
      case "timepicker":
        return '<input type="text" inputmode="numeric" class="time-field" data-testid="time-field"' +
          attrs(el, blockId, "time", live) + ' placeholder="' + esc(words().hour + ":" + words().minute) +
          '" value="' + esc(value ?? "") + '">';
      case "datetimepicker":
        return '<input type="datetime-local"' + attrs(el, blockId, "datetime", live) + ' value="' +
          esc(localDateTime(value)) + '">';
      case "checkboxes":
      case "radio_buttons": {
        const type = el.type === "checkboxes" ? "checkbox" : "radio";
        const name = "choice-" + (++uid);
        const chosen = asList(value);
        return '<div class="choices"' + attrs(el, blockId, type === "checkbox" ? "checkboxes" : "radio", live) + ">" +
          (el.options || []).map((o) => '<label class="choice"><input type="' + type + '" name="' + name +
            '" value="' + esc(o.value) + '"' + (chosen.includes(o.value) ? " checked" : "") + "> <span>" +
            textObject(o.text) + (o.description ? '<span class="meta"> ' + textObject(o.description) + "</span>" : "") +
            "</span></label>").join("") + "</div>";
      }
      case "plain_text_input":
      case "rich_text_input": {
        const limits = (el.max_length ? ' maxlength="' + Number(el.max_length) + '"' : "");
        const text = typeof value === "string" ? value : "";
        if (el.multiline || el.type === "rich_text_input") {
          return '<textarea rows="4"' + attrs(el, blockId, "text", live) + placeholder + limits + ">" + esc(text) +
            "</textarea>";
        }
        return '<input type="text"' + attrs(el, blockId, "text", live) + placeholder + limits + ' value="' +
          esc(text) + '">';
      }
      case "number_input":
        return '<input type="number"' + (el.is_decimal_allowed ? ' step="any"' : ' step="1"') +
          (el.min_value !== undefined ? ' min="' + esc(el.min_value) + '"' : "") +
          (el.max_value !== undefined ? ' max="' + esc(el.max_value) + '"' : "") +
          attrs(el, blockId, "text", live) + placeholder + ' value="' + esc(value ?? "") + '">';
      case "email_text_input":
      case "url_text_input":
        return '<input type="' + (el.type === "email_text_input" ? "email" : "url") + '"' +
          attrs(el, blockId, "text", live) + placeholder + ' value="' + esc(value ?? "") + '">';
      case "file_input": {
        const files = value && value.files ? value.files : [];
        const accept = el.filetypes ? ' accept="' + esc(el.filetypes.map((t) => "." + t).join(",")) + '"' : "";
        const multiple = (el.max_files || 10) > 1 ? " multiple" : "";
        return '<div class="file-input"' + attrs(el, blockId, "file", false) + ">" +
          '<label class="bk file-pick">' + esc(words().chooseFile) +
          '<input type="file" data-testid="modal-file"' + accept + multiple + " hidden></label>" +
          '<ul class="picked">' + pickedFiles(files) + "</ul></div>";
      }
      case "image":
        return image(el.image_url, el.alt_text, "accessory-image");
      default:
        return '<span class="meta unsupported">[' + esc(el.type) + "]</span>";
    }
  }

  function pickedFiles(files) {
    if (!files.length) return '<li class="meta">' + esc(words().noFile) + "</li>";
    return files.map((f) => "<li>📎 " + esc(f.name) + "</li>").join("");
  }

  function image(url, alt, cls) {
    return '<img class="' + cls + '" src="' + esc(url || "") + '" alt="' + esc(alt || "") + '" loading="lazy">';
  }

  // --- rich_text (what Slack clients send and some bots echo) --------------------------------------

  function richInline(items) {
    return (items || []).map((e) => {
      let html;
      if (e.type === "text") html = esc(e.text).replace(/\n/g, "<br>");
      else if (e.type === "link") html = '<a href="' + esc(e.url) + '" target="_blank" rel="noopener">' +
        esc(e.text || e.url) + "</a>";
      else if (e.type === "user") html = '<span class="mention">@' + esc(ctx.names[e.user_id] || e.user_id) + "</span>";
      else if (e.type === "channel") html = '<span class="mention">#' + esc(ctx.names[e.channel_id] || e.channel_id) + "</span>";
      else if (e.type === "emoji") html = e.unicode ? String.fromCodePoint(...e.unicode.split("-").map((h) => parseInt(h, 16))) : ":" + esc(e.name) + ":";
      else if (e.type === "date") html = slackDate("!date^" + e.timestamp + "^" + (e.format || "{date_short}"), e.fallback);
      else html = esc(e.text || "");
      const s = e.style || {};
      if (s.code) html = "<code>" + html + "</code>";
      if (s.bold) html = "<b>" + html + "</b>";
      if (s.italic) html = "<i>" + html + "</i>";
      if (s.strike) html = "<s>" + html + "</s>";
      return html;
    }).join("");
  }

  function richText(elements) {
    return (elements || []).map((e) => {
      if (e.type === "rich_text_section") return "<div>" + richInline(e.elements) + "</div>";
      if (e.type === "rich_text_preformatted") return "<pre>" + richInline(e.elements) + "</pre>";
      if (e.type === "rich_text_quote") return "<blockquote>" + richInline(e.elements) + "</blockquote>";
      if (e.type === "rich_text_list") {
        const tag = e.style === "ordered" ? "ol" : "ul";
        return "<" + tag + ">" + (e.elements || []).map((item) => "<li>" + richInline(item.elements) + "</li>").join("") +
          "</" + tag + ">";
      }
      return "";
    }).join("");
  }

  // --- blocks --------------------------------------------------------------------------------------

  // place: "message", "home" or "modal"; modal inputs keep `entered[blockId]`.
  function block(b, place, errors, entered) {
    const id = b.block_id || "";
    switch (b.type) {
      case "header":
        return '<div class="block header"><h3>' + plain(b.text) + "</h3></div>";
      case "divider":
        return '<hr class="block">';
      case "section": {
        const text = b.text ? '<div class="text">' + textObject(b.text) + "</div>" : "";
        const fields = b.fields ? '<div class="fields">' + b.fields.map((f) => "<div>" + textObject(f) +
          "</div>").join("") + "</div>" : "";
        const accessory = b.accessory ? '<div class="accessory">' + element(b.accessory, id, true) + "</div>" : "";
        return '<div class="block section" data-block="' + esc(id) + '"><div class="main">' + text + fields + "</div>" +
          accessory + "</div>";
      }
      case "context":
        return '<div class="block context">' + (b.elements || []).map((e) =>
          e.type === "image" ? image(e.image_url, e.alt_text, "context-image") : "<span>" + textObject(e) + "</span>")
          .join("") + "</div>";
      case "actions":
        return '<div class="block actions" data-block="' + esc(id) + '">' +
          (b.elements || []).map((e) => element(e, id, true)).join("") + "</div>";
      case "image":
        return '<figure class="block image">' + (b.title ? "<figcaption>" + textObject(b.title) + "</figcaption>" : "") +
          image(b.image_url, b.alt_text, "block-image") + "</figure>";
      case "input": {
        const error = errors && errors[id] ? '<div class="field-error" data-testid="field-error">' +
          mrkdwn(errors[id]) + "</div>" : "";
        const optional = b.optional ? ' <span class="meta">' + esc(words().optional) + "</span>" : "";
        const hint = b.hint ? '<div class="hint">' + textObject(b.hint) + "</div>" : "";
        const typed = entered ? entered[id] : undefined;
        return '<div class="block input' + (error ? " has-error" : "") + '" data-testid="input" data-block="' +
          esc(id) + '"><label>' + plain(b.label) + optional + "</label>" +
          element(b.element || {}, id, Boolean(b.dispatch_action), typed) + hint + error + "</div>";
      }
      case "rich_text":
        return '<div class="block rich">' + richText(b.elements) + "</div>";
      case "file":
        return '<div class="block meta">📎 a file shared by the bot (' + esc(b.external_id || "") + ")</div>";
      case "video":
        return '<div class="block video"><a href="' + esc(b.title_url || b.video_url) + '" target="_blank" rel="noopener">▶ ' +
          plain(b.title) + "</a></div>";
      default:
        return '<div class="block meta unsupported">[' + esc(b.type) + " block]</div>";
    }
  }

  function blocks(list, place, errors, entered) {
    return (list || []).map((b) => block(b, place, errors, entered)).join("");
  }

  return { ctx, esc, mrkdwn, textObject, blocks, block, element, formatter, readDate, readTime, pickedFiles };
})();
