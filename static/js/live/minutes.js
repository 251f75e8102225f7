// The minutes as the secretary writes them during the meeting: per agenda item, the discussion
// and the conclusions, saved as they type (queued while offline), and what the system already
// knows shown beside them. The chair announces an item's conclusion, or the meeting's, to every screen.

import { itemSeconds } from "./agenda-time.js";
import { el } from "./dom.js";
import { clockTime, formatSeconds, interpolate } from "./store.js";
import { withChosen } from "./voting.js";

const FIELDS = ["notes", "conclusions"];
const SAVE_AFTER_MS = 800;

export function mountMinutes({ store, send, t, toast, config }) {
  const $ = (id) => document.getElementById(id);
  let itemId; // the item on screen; undefined until the first render follows the current item
  let followCurrent = true;
  // Per field of the item on screen: the server version it was based on, and unsaved typing.
  const sync = { notes: { base: 0, dirty: false, timer: null }, conclusions: { base: 0, dirty: false, timer: null } };

  const minutes = () => store.state.minutes;
  const entryOf = (id) => minutes()?.entries.find((entry) => entry.item_id === id) || null;
  const me = () => store.state.me;

  function textarea(field) {
    return $(`minutes-${field}`);
  }

  function load(id) {
    itemId = id;
    const entry = entryOf(id);
    for (const field of FIELDS) {
      clearTimeout(sync[field].timer);
      sync[field] = { base: entry ? entry[`${field}_version`] : 0, dirty: false, timer: null };
      textarea(field).value = entry ? entry[field] : "";
    }
    renderFacts();
    renderSpeakerButton();
    renderStatus();
    // With "the meeting as a whole" chosen, the chair reads out the meeting's conclusion.
    $("minutes-conclude").textContent = id === null ? t.minutes.announce_general : t.minutes.announce;
  }

  function save(field) {
    const state = sync[field];
    clearTimeout(state.timer);
    state.timer = null;
    const fields = { field, text: textarea(field).value, base_version: state.base };
    if (itemId !== null) fields.item_id = itemId;
    state.sending = fields.text;
    renderStatus("saving");
    send("minutes.update", fields).then((reply) => {
      if (reply.type === "error") renderStatus("error", reply.message);
    });
  }

  function onInput(field) {
    const state = sync[field];
    state.dirty = true;
    // The chair drafts a conclusion to announce; it is not autosaved, and the status says so.
    if (!minutes().editable) { renderStatus("draft"); return; }
    clearTimeout(state.timer);
    state.timer = setTimeout(() => save(field), SAVE_AFTER_MS);
    renderStatus("typing");
  }

  function renderStatus(kind, detail) {
    const box = $("minutes-status");
    const entry = entryOf(itemId);
    if (kind === "typing") box.textContent = t.minutes.typing;
    else if (kind === "saving") box.textContent = t.minutes.saving;
    else if (kind === "draft") box.textContent = t.minutes.chair_draft;
    else if (kind === "error") box.textContent = detail;
    else if (minutes().locked) {
      // Read-only for a reason the secretary can act on: said where the typing would go, with the way out.
      box.replaceChildren(`${t.minutes.locked[minutes().locked]} `, el("a", { href: config.minutesUrl }, t.minutes.open_minutes_page));
    } else box.textContent = entry?.updated_at ? interpolate(t.minutes.saved_by, { name: entry.updated_by || "", time: clockTime(entry.updated_at, config) }) : "";
  }

  function renderFacts() {
    const facts = $("minutes-facts");
    const item = store.state.agenda.find((i) => i.id === itemId);
    const parts = [];
    if (item) {
      parts.push(el("li", { id: "minutes-time-used" }, timeUsed(item)));
      if (item.presenter) parts.push(el("li", {}, `${t.minutes.presenter}: ${item.presenter}`));
    }
    for (const poll of store.state.polls.filter((p) => p.agenda_item_id === itemId && p.result)) {
      parts.push(el("li", {}, `${poll.question}: ${poll.result.passed ? withChosen(t.poll.passed, poll.result) : t.poll.not_passed}`));
    }
    facts.replaceChildren(...parts);
  }

  const timeUsed = (item) => interpolate(t.minutes.time_used, { used: formatSeconds(itemSeconds(item, store.now())), allotted: item.minutes });

  // Counts on with the agenda's clock while the item is under way.
  function tick() {
    const node = $("minutes-time-used");
    const item = store.state.agenda.find((i) => i.id === itemId);
    if (node && item?.current_since) node.textContent = timeUsed(item);
  }

  // The speaker on the floor, or the one who spoke last (the secretary often writes the summary
  // after the speech), offered for the notes of the item they spoke on.
  function renderSpeakerButton() {
    const latest = store.state.speakers.latest;
    const button = $("minutes-speaker");
    button.hidden = !(latest && minutes()?.editable && latest.agenda_item_id === itemId);
    if (!button.hidden) button.textContent = interpolate(t.minutes.note_speaker, { name: latest.name });
  }

  function noteSpeaker() {
    const latest = store.state.speakers.latest;
    const notes = textarea("notes");
    // What they asked to speak about goes into the line, as the secretary would write it down.
    const lines = latest.topic
      ? [t.minutes.speaker_line_topic, t.minutes.speaker_line_topic_no_position]
      : [t.minutes.speaker_line, t.minutes.speaker_line_no_position];
    const line = interpolate(latest.position ? lines[0] : lines[1], latest);
    notes.focus();
    notes.setSelectionRange(notes.value.length, notes.value.length);
    const text = (notes.value && !notes.value.endsWith("\n") ? "\n" : "") + line;
    // Typed in as if by hand, so the browser's undo takes it back; fired input events save it.
    if (!document.execCommand("insertText", false, text)) {
      notes.value += text;
      onInput("notes");
    }
  }

  function renderItems() {
    const select = $("minutes-item");
    const options = [el("option", { value: "" }, t.minutes.general)];
    for (const item of store.state.agenda) options.push(el("option", { value: String(item.id) }, `${item.number}. ${item.title}`));
    select.replaceChildren(...options);
    select.value = itemId === null || itemId === undefined ? "" : String(itemId);
  }

  function render() {
    const card = $("minutes-card");
    const state = minutes();
    card.hidden = !state;
    if (!state) return;
    textarea("notes").readOnly = !state.editable;
    textarea("conclusions").readOnly = !state.editable && !me().is_chair;
    $("minutes-conclude").hidden = !(me().is_chair && store.state.meeting.state === "in_progress");
    const current = store.state.meeting.current_item_id;
    if (itemId === undefined || (followCurrent && current !== itemId && !FIELDS.some((f) => sync[f].dirty))) load(current ?? null);
    renderItems();
    renderFacts();
    renderSpeakerButton();
    if (!FIELDS.some((f) => sync[f].dirty)) renderStatus();
  }

  function onUpdate(event) {
    if (event.entry.item_id !== itemId) return;
    const field = event.field;
    const state = sync[field];
    const mine = event.by_user === me().user_id;
    if (mine && event.entry[field] === textarea(field).value) {
      state.base = event.entry[`${field}_version`];
      state.dirty = false;
    } else if (mine && event.entry[field] === state.sending) {
      // Our save arrived while we kept typing: later saves build on it.
      state.base = event.entry[`${field}_version`];
    } else if (!mine && !state.dirty) {
      textarea(field).value = event.entry[field];
      state.base = event.entry[`${field}_version`];
    }
    // If we are typing over someone else's change, our base stays old: the server will say so when we save.
    if (event.replaced) showReplaced(event);
    renderStatus();
  }

  function showReplaced(event) {
    const writer = event.entry.updated_by || "";
    showKept(interpolate(t.minutes.replaced, { writer, previous: event.replaced.by || t.minutes.someone }), event.replaced.text);
  }

  // Text that lost its place in a field, kept in sight to copy back from.
  function showKept(label, text) {
    const box = $("minutes-replaced");
    box.replaceChildren(
      el("p", {}, label),
      el("textarea", { readonly: true, rows: "4" }, text),
      el("button", { class: "button small", type: "button", onclick: () => { box.hidden = true; } }, t.poll.hide),
    );
    box.hidden = false;
  }

  for (const field of FIELDS) {
    textarea(field).addEventListener("input", () => onInput(field));
    textarea(field).addEventListener("blur", () => { if (sync[field].timer) save(field); });
    // Typing continues in the outbox when the network drops; closing the page keeps it there too.
    window.addEventListener("pagehide", () => { if (sync[field].timer) save(field); });
  }
  $("minutes-item").addEventListener("change", (event) => {
    for (const field of FIELDS) if (sync[field].timer) save(field);
    const value = event.target.value;
    followCurrent = value === String(store.state.meeting.current_item_id ?? "");
    load(value ? Number(value) : null);
  });
  $("minutes-speaker").addEventListener("click", noteSpeaker);
  // The notes keep the focus: a tap on the button is not a blur that saves half a sentence.
  $("minutes-speaker").addEventListener("pointerdown", (event) => event.preventDefault());
  $("minutes-conclude").addEventListener("click", async () => {
    const text = textarea("conclusions").value.trim();
    if (!text) { toast(t.minutes.write_conclusion, "error"); return; }
    const base = sync.conclusions.base;
    let reply = await send("minutes.conclude", { item_id: itemId, text, base_version: base });
    if (reply.type === "error" && reply.code === "conflict") reply = await announceOverConflict(text, reply.detail?.entry ?? entryOf(itemId));
    if (reply?.type === "ack") {
      sync.conclusions.dirty = false;
      toast(t.minutes.announced);
    }
  });

  // The secretary wrote a conclusion while the chair drafted theirs: the chair reads it, then either
  // announces theirs in its place or takes it up (their own draft stays in sight below).
  async function announceOverConflict(text, entry) {
    const writer = entry?.updated_by || t.minutes.someone;
    if (entry && window.confirm(interpolate(t.minutes.conclusion_conflict, { writer, text: entry.conclusions }))) {
      return send("minutes.conclude", { item_id: itemId, text, base_version: entry.conclusions_version });
    }
    const field = textarea("conclusions");
    field.value = entry?.conclusions ?? "";
    sync.conclusions = { ...sync.conclusions, base: entry?.conclusions_version ?? 0, dirty: false };
    showKept(t.minutes.your_draft, text);
    renderStatus();
    return null;
  }

  return {
    render,
    tick,
    onEvent(kind, event) {
      if (kind === "minutes.update") onUpdate(event);
      if (kind === "agenda.current" || kind === "meeting.state") render();
      if (kind.startsWith("speaker.") || kind === "poll.close") renderFacts();
      if (kind.startsWith("speaker.")) renderSpeakerButton();
    },
  };
}
