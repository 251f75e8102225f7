// What the chair concluded, read out to every screen. An item's conclusion stays under its item; the
// meeting's as a whole (read out before closing) under the whole agenda, open, for it is what the
// room takes away. Both are there for a tablet that came in or back afterwards.

import { el } from "./dom.js";

/** "Kết luận" for an item, "Kết luận chung của chủ tọa" for the meeting (no item). */
export function conclusionLabel(itemId, t) {
  return itemId === null || itemId === undefined ? t.minutes.general_conclusion : t.minutes.conclusion_of;
}

/** An item's conclusion is short enough to read in passing; the meeting's is read under the agenda. */
export function conclusionToast(event, t) {
  return event.item_id ? `${t.minutes.conclusion_of}: ${event.text}` : t.minutes.general_announced;
}

/** The item's conclusion as a fold under its row, or null when none was read out. */
export function itemConclusion(store, t, itemId, { open }) {
  const text = store.state.conclusions?.[String(itemId)];
  if (!text) return null;
  return el("details", { class: "agenda-conclusion", dataset: { item: String(itemId) }, open },
    el("summary", {}, conclusionLabel(itemId, t)), el("p", {}, text));
}

/** The meeting's conclusion under the agenda; the fold stays as the reader left it when drawn again. */
export function renderGeneralConclusion(store, t) {
  const box = document.getElementById("general-conclusion");
  const text = store.state.conclusions?.[""];
  box.hidden = !text;
  if (!text) { box.replaceChildren(); return; }
  const open = box.querySelector("details")?.open ?? true;
  box.replaceChildren(el("details", { class: "agenda-conclusion general", open },
    el("summary", {}, conclusionLabel(null, t)), el("p", {}, text)));
}
