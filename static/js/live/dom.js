// Building DOM nodes without HTML strings, so user text is never parsed as markup.

/** Lying down (a tablet held sideways, a laptop): the document and the side panels stand side by side,
 * each scrolling on its own under the top bar (live.css has the same query). */
export const besideThePanels = window.matchMedia("(min-width: 901px) and (orientation: landscape)");

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

// A select changed with the arrow keys is still being chosen: it commits on Enter or on leaving it.
// A choice made with the mouse or a finger commits at once.
const CHOOSING_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);
export function onChosen(select, commit) {
  let keyed = false;
  let committed = select.value;
  const done = () => {
    keyed = false;
    if (select.value === committed) return;
    committed = select.value;
    commit(select.value);
  };
  select.addEventListener("keydown", (event) => {
    if (CHOOSING_KEYS.has(event.key) || event.key.length === 1) keyed = true;
    if (event.key === "Enter") { event.preventDefault(); done(); }
  });
  select.addEventListener("change", () => { if (!keyed) done(); });
  select.addEventListener("blur", () => { if (keyed) done(); });
}

// A dialog drawn over the room (the ballot, a result): focus goes into it when it opens, stays on the
// same control when it is drawn again, Tab stays inside, Escape closes it, and focus goes back to
// where it was when it closes.
const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";
function focusKey(box) {
  const node = document.activeElement;
  if (!node || !box.contains(node)) return null;
  const own = node.dataset.choice ? `[data-choice="${node.dataset.choice}"]` : node.dataset.action ? `[data-action="${node.dataset.action}"]` : null;
  const voter = node.closest("[data-voter]")?.dataset.voter;
  return own && voter ? `[data-voter="${voter}"] ${own}` : own;
}
export function dialogFocus(box, { onEscape }) {
  let before = null;
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); onEscape(); return; }
    if (event.key !== "Tab") return;
    const items = [...box.querySelectorAll(FOCUSABLE)].filter((node) => !node.disabled && node.offsetParent !== null);
    if (!items.length) return;
    if (event.shiftKey && document.activeElement === items[0]) { event.preventDefault(); items.at(-1).focus(); }
    else if (!event.shiftKey && document.activeElement === items.at(-1)) { event.preventDefault(); items[0].focus(); }
  });
  return {
    /** Call before drawing it again; returns what draw() needs to put focus back. */
    remember() { return { wasHidden: box.hidden, key: focusKey(box) }; },
    drawn({ wasHidden, key }) {
      if (wasHidden) before = document.activeElement;
      const again = key && box.querySelector(key);
      if (again) again.focus();
      else if (wasHidden || box.contains(document.activeElement) === false) box.querySelector("h2")?.focus();
    },
    closed() {
      if (before?.isConnected) before.focus();
      before = null;
    },
  };
}

// A list drawn again keeps the keyboard where it was: the same kind of control at the same place, or
// the nearest one left (the request given the floor has gone from the queue; the next one is there).
export function redrawKeepingFocus(list, selectors, draw) {
  const active = document.activeElement;
  const selector = active && list.contains(active) ? selectors.find((s) => active.matches(s)) : null;
  const index = selector ? [...list.querySelectorAll(selector)].indexOf(active) : -1;
  draw();
  if (!selector) return;
  const candidates = list.querySelectorAll(selector);
  if (candidates.length) candidates[Math.min(index, candidates.length - 1)].focus();
}
