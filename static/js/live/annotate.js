// Marking up a page: pen, highlighter, rectangle, arrow, text note and eraser, with undo and redo.
// Coordinates are fractions of the displayed page (0–1, y down), so every screen and zoom agrees.
// Each annotation carries the tablet's own id and a revision: a resend changes nothing, the newest wins.
// While presenting, the pen's points are also streamed (`stroke.points`) so following tablets see it draw.

import { newId } from "./connection.js";
import { el } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
// About 12 batches a second: smooth enough to watch, well inside the per-connection rate limit.
const STREAM_EVERY_MS = 80;
const LIVE_STROKE_TIMEOUT_MS = 4000;
const MAX_POINTS = 2000; // ANNOTATION_MAX_POINTS
const WIDTHS = { ink: [0.002, 0.004, 0.008], highlight: [0.012, 0.02, 0.03], rect: [0.002, 0.004, 0.008], arrow: [0.002, 0.004, 0.008], note: [0.004] };

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, value);
  return node;
}

const round = (value) => Math.round(Math.min(1, Math.max(0, value)) * 100000) / 100000;

/** Where a note's editor or reader opens on the page, at `[x, y]` (fractions of the page): beside the
 * note, but never past the page's right edge, where the stage would scroll sideways to show it. */
export function notePopupStyle([x, y]) {
  return `left:clamp(0px, ${x * 100}%, calc(100% - min(320px, 80%)));top:${Math.min(y, 0.85) * 100}%`;
}

/** Scroll `popup` into view: within the page stage when it scrolls on its own (a tablet lying down),
 * else the window (upright, the page is part of it). */
export function revealInside(popup) {
  const scroller = popup.closest(".page-stage");
  if (!scroller || scroller.scrollHeight <= scroller.clientHeight + 1) {
    popup.scrollIntoView({ block: "nearest", behavior: "smooth" });
    return;
  }
  const box = popup.getBoundingClientRect();
  const view = scroller.getBoundingClientRect();
  const bottom = Math.min(view.bottom, window.visualViewport?.height ?? window.innerHeight);
  if (box.bottom > bottom) scroller.scrollBy({ top: box.bottom - bottom + 8, behavior: "smooth" });
  else if (box.top < view.top) scroller.scrollBy({ top: box.top - view.top - 8, behavior: "smooth" });
}

export class AnnotationLayer {
  constructor({ layer, t, send, volatile, toast, me, onChange, visible = () => true }) {
    this.layer = layer; // the <svg> over the page image
    this.visible = visible;
    this.t = t;
    this.send = send;
    this.volatile = volatile;
    this.toast = toast;
    this.me = me;
    this.onChange = onChange;
    this.byId = new Map(); // every annotation this screen knows, on any document
    this.live = new Map(); // strokes other people are drawing now: stroke_id → {points, node, timer}
    this.page = null; // {documentId, versionId, page, aspect, shareNew, streaming}
    this.tool = "hand";
    this.color = "#d32f2f";
    this.penColor = "#d32f2f";
    this.markerColor = "#f9a825";
    this.widthIndex = 1;
    this.undoStack = [];
    this.redoStack = [];
    this.drawing = null;
    this.pinching = false; // two fingers on the page: the viewer zooms, nobody draws
    this.ownStrokes = new Set(); // what this screen drew: its own live points come back to the presenter's other screens only
    layer.addEventListener("pointerdown", (event) => this.pointerDown(event));
    layer.addEventListener("pointermove", (event) => this.pointerMove(event));
    layer.addEventListener("pointerup", (event) => this.pointerUp(event));
    layer.addEventListener("pointercancel", () => this.cancelDrawing());
  }

  // ---- what is known -------------------------------------------------------------------
  /** Merge annotations from the server (snapshot, a fetch, an event): a higher revision wins. */
  merge(annotations) {
    for (const annotation of annotations) {
      const known = this.byId.get(annotation.id);
      if (!known || annotation.revision >= known.revision) this.byId.set(annotation.id, annotation);
      this.endLiveStroke(annotation.id);
    }
    this.render();
  }

  /** Erased elsewhere: keep a tombstone with its revision, so an undo here is newer still. */
  forget(id, documentId, revision) {
    const known = this.byId.get(id);
    if (known && known.document_id === documentId && revision >= known.revision) this.byId.set(id, { ...known, deleted: true, revision });
    this.render();
  }

  /** What the server holds for one document (with the author's own tombstones) replaces what is known here,
   * except changes still on their way (in the outbox) or made since the fetch began: those are newer. */
  replaceDocument(documentId, annotations, pendingIds, fetchStarted) {
    const fresh = new Set(annotations.map((annotation) => annotation.id));
    for (const [id, annotation] of this.byId) {
      if (annotation.document_id !== documentId || fresh.has(id) || pendingIds.has(id)) continue;
      if ((annotation.touched || 0) >= fetchStarted) continue;
      this.byId.delete(id); // erased, or no longer shared with this reader
    }
    this.merge(annotations.filter((annotation) => !pendingIds.has(annotation.id)));
  }

  onDocument(documentId) {
    return [...this.byId.values()].filter((a) => a.document_id === documentId && !a.deleted);
  }

  show(page) {
    const before = this.page;
    const moved = !page || !before || page.documentId !== before.documentId || page.versionId !== before.versionId || page.page !== before.page;
    // Someone else's page turn, a resize or a sharper image must not throw away a stroke being drawn here.
    if (moved) this.cancelDrawing();
    this.page = page;
    if (this.drawing) return; // the stroke's preview stays; the layer is redrawn when it ends
    this.render();
  }

  setTool(tool) {
    // The highlighter keeps its own colour (yellow until chosen otherwise); pens and shapes share the last one chosen.
    if (this.tool === "highlight") this.markerColor = this.color;
    else if (this.tool !== "hand" && this.tool !== "eraser") this.penColor = this.color;
    this.tool = tool;
    this.color = tool === "highlight" ? this.markerColor : this.penColor;
    this.layer.classList.toggle("drawing", tool !== "hand");
    this.layer.dataset.tool = tool;
  }

  // ---- drawing on screen ---------------------------------------------------------------
  scale() {
    return { w: 1000, h: 1000 * (this.page?.aspect || 1.414) };
  }

  render() {
    const layer = this.layer;
    const page = this.page;
    layer.replaceChildren();
    if (!page) return;
    const { w, h } = this.scale();
    layer.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const here = [...this.byId.values()].filter(
      (a) => !a.deleted && this.visible(a) && a.document_id === page.documentId && a.version_id === page.versionId && a.page === page.page,
    );
    for (const annotation of here) layer.append(this.shape(annotation));
    for (const [, stroke] of this.live) {
      if (stroke.documentId === page.documentId && stroke.page === page.page) layer.append(stroke.node);
    }
    if (this.drawing?.preview) layer.append(this.drawing.preview); // a stroke being drawn survives others' changes
    // A note longer than its box fades out at the bottom; a tap with the hand opens all of it.
    const clipped = [...layer.querySelectorAll(".note-text")].map((text) => [text.closest(".annotation"), text.scrollHeight > text.clientHeight + 1]);
    for (const [shape, isClipped] of clipped) shape.classList.toggle("clipped", isClipped); // measured first, then marked: one layout
    this.onChange?.();
  }

  /** Who sees it, in words: everyone who reads the document, or its author alone (and why). */
  audienceOf(annotation) {
    if (annotation.shared) return this.t.annotate.shared;
    return annotation.withheld ? this.t.annotate.withheld : this.t.annotate.private;
  }

  shape(annotation) {
    const { w, h } = this.scale();
    const { data, kind } = annotation;
    const width = (data.width || 0.004) * w;
    const mine = annotation.author_id === this.me().user_id;
    const common = { "data-id": annotation.id, "data-kind": kind, class: `annotation ${mine ? "mine" : "theirs"}${annotation.shared ? " shared" : ""}` };
    const title = svg("title");
    title.textContent = `${annotation.author} · ${this.audienceOf(annotation)}`;
    let node;
    if (kind === "ink") {
      node = svg("polyline", { ...common, points: data.points.map(([x, y]) => `${x * w},${y * h}`).join(" "), fill: "none", stroke: data.color, "stroke-width": width, "stroke-linecap": "round", "stroke-linejoin": "round" });
    } else if (kind === "arrow") {
      const [[x1, y1], [x2, y2]] = data.points;
      const angle = Math.atan2((y2 - y1) * h, (x2 - x1) * w);
      const head = Math.max(width * 4, 14);
      const wing = (side) => `${x2 * w - head * Math.cos(angle + side * 0.45)},${y2 * h - head * Math.sin(angle + side * 0.45)}`;
      node = svg("g", common);
      node.append(svg("line", { x1: x1 * w, y1: y1 * h, x2: x2 * w, y2: y2 * h, stroke: data.color, "stroke-width": width, "stroke-linecap": "round" }));
      node.append(svg("polyline", { points: `${wing(1)} ${x2 * w},${y2 * h} ${wing(-1)}`, fill: "none", stroke: data.color, "stroke-width": width, "stroke-linecap": "round", "stroke-linejoin": "round" }));
    } else {
      const [x0, y0, x1, y1] = data.rect;
      const box = { x: x0 * w, y: y0 * h, width: Math.max(1, (x1 - x0) * w), height: Math.max(1, (y1 - y0) * h) };
      if (kind === "highlight") node = svg("rect", { ...common, ...box, fill: data.color, "fill-opacity": 0.35, style: "mix-blend-mode: multiply" });
      else if (kind === "rect") node = svg("rect", { ...common, ...box, fill: "none", stroke: data.color, "stroke-width": width });
      else {
        node = svg("g", common);
        node.append(svg("rect", { ...box, fill: "#fff8c4", stroke: data.color, "stroke-width": 2, rx: 4 }));
        const text = svg("foreignObject", box);
        text.append(el("div", { class: "note-text", xmlns: "http://www.w3.org/1999/xhtml" }, data.text));
        node.append(text);
      }
    }
    node.prepend(title);
    return node;
  }

  // ---- pointer input ---------------------------------------------------------------------
  point(event) {
    const box = this.layer.getBoundingClientRect();
    return [round((event.clientX - box.left) / box.width), round((event.clientY - box.top) / box.height)];
  }

  pointerDown(event) {
    if (this.tool === "hand" || !this.page || event.button > 0 || this.pinching) return;
    if (this.drawing) { this.cancelDrawing(); return; } // a second finger: the viewer pinches instead
    event.preventDefault();
    event.stopPropagation();
    try { this.layer.setPointerCapture(event.pointerId); } catch { /* a pointer already gone: draw without capture */ }
    const start = this.point(event);
    if (this.tool === "eraser") { this.drawing = { tool: "eraser" }; this.eraseAt(event); return; }
    if (this.tool === "note") { this.drawing = null; this.askNote(start); return; }
    const id = newId();
    const { w, h } = this.scale();
    const width = WIDTHS[this.tool][Math.min(this.widthIndex, WIDTHS[this.tool].length - 1)];
    this.drawing = { id, tool: this.tool, start, points: [start], width, sent: 0, lastSent: 0 };
    if (this.tool === "ink") this.ownStrokes.add(id);
    const preview = this.tool === "ink"
      ? svg("polyline", { fill: "none", stroke: this.color, "stroke-width": width * w, "stroke-linecap": "round", "stroke-linejoin": "round", points: `${start[0] * w},${start[1] * h}` })
      : svg("rect", { fill: this.tool === "highlight" ? this.color : "none", "fill-opacity": 0.35, stroke: this.tool === "highlight" ? "none" : this.color, "stroke-width": width * w });
    if (this.tool === "arrow") this.drawing.preview = svg("line", { stroke: this.color, "stroke-width": width * w, "stroke-linecap": "round" });
    else this.drawing.preview = preview;
    this.layer.append(this.drawing.preview);
  }

  pointerMove(event) {
    const drawing = this.drawing;
    if (!drawing) return;
    event.preventDefault();
    if (drawing.tool === "eraser") { this.eraseAt(event); return; }
    const point = this.point(event);
    const { w, h } = this.scale();
    if (drawing.tool === "ink") {
      const last = drawing.points.at(-1);
      if (Math.hypot(point[0] - last[0], point[1] - last[1]) < 0.0015) return;
      if (drawing.points.length >= MAX_POINTS) return; // the server's limit: a longer scribble is cut, not refused
      drawing.points.push(point);
      drawing.preview.setAttribute("points", drawing.points.map(([x, y]) => `${x * w},${y * h}`).join(" "));
      this.streamPoints(drawing, false);
    } else {
      drawing.end = point;
      const [x0, y0] = drawing.start;
      if (drawing.tool === "arrow") {
        Object.entries({ x1: x0 * w, y1: y0 * h, x2: point[0] * w, y2: point[1] * h }).forEach(([k, v]) => drawing.preview.setAttribute(k, v));
      } else {
        const top = drawing.tool === "highlight" ? y0 - drawing.width / 2 : Math.min(y0, point[1]);
        const height = drawing.tool === "highlight" ? drawing.width : Math.abs(point[1] - y0);
        Object.entries({ x: Math.min(x0, point[0]) * w, y: top * h, width: Math.abs(point[0] - x0) * w, height: height * h }).forEach(([k, v]) => drawing.preview.setAttribute(k, v));
      }
    }
  }

  pointerUp(event) {
    const drawing = this.drawing;
    if (!drawing) return;
    event.preventDefault();
    this.drawing = null;
    drawing.preview?.remove();
    if (drawing.tool === "eraser") return;
    const end = drawing.end || drawing.start;
    const [x0, y0] = drawing.start;
    let data;
    if (drawing.tool === "ink") {
      if (drawing.points.length === 1) drawing.points.push([round(x0 + 0.001), round(y0 + 0.001)]);
      this.streamPoints(drawing, true);
      data = { points: drawing.points };
    } else if (drawing.tool === "arrow") {
      if (Math.hypot(end[0] - x0, end[1] - y0) < 0.01) return;
      data = { points: [drawing.start, end] };
    } else if (drawing.tool === "highlight") {
      if (Math.abs(end[0] - x0) < 0.005) return;
      data = { rect: [Math.min(x0, end[0]), round(y0 - drawing.width / 2), Math.max(x0, end[0]), round(y0 + drawing.width / 2)] };
    } else {
      if (Math.abs(end[0] - x0) < 0.005 || Math.abs(end[1] - y0) < 0.005) return;
      data = { rect: [Math.min(x0, end[0]), Math.min(y0, end[1]), Math.max(x0, end[0]), Math.max(y0, end[1])] };
    }
    this.create(drawing.id, drawing.tool, { ...data, color: this.color, width: drawing.width });
  }

  cancelDrawing() {
    this.drawing?.preview?.remove();
    this.drawing = null;
  }

  /** While presenting, send the points drawn since the last batch (the last one again, so the line joins up). */
  streamPoints(drawing, final) {
    const page = this.page;
    if (!page?.streaming) return;
    const now = Date.now();
    if (!final && now - drawing.lastSent < STREAM_EVERY_MS) return;
    const points = drawing.points.slice(Math.max(0, drawing.sent - 1));
    if (points.length < 2) return;
    this.volatile("stroke.points", { stroke_id: drawing.id, document_id: page.documentId, page: page.page, points: points.slice(0, 500), color: this.color, width: drawing.width });
    drawing.sent = drawing.points.length;
    drawing.lastSent = now;
  }

  // ---- changes, undo and redo -----------------------------------------------------------
  create(id, kind, data, { shared = this.page.shareNew, page = this.page } = {}) {
    const annotation = {
      id, document_id: page.documentId, version_id: page.versionId, page: page.page, kind, data, shared,
      author_id: this.me().user_id, author: this.me().name, revision: 1, updated_at: new Date().toISOString(),
    };
    this.apply(null, annotation);
    this.undoStack.push({ before: null, after: annotation });
    this.redoStack = [];
  }

  /** Make `after` true (null: erase `before`), here at once and on the server when it can be reached. */
  apply(before, after) {
    const current = this.byId.get((after || before).id);
    const revision = (current?.revision || 0) + 1;
    if (after) {
      // Taken off the shared view by the chair: an undo or a redo must not share it again.
      const withheld = Boolean(current?.withheld || after.withheld);
      const next = { ...after, shared: after.shared && !withheld, withheld, revision, deleted: false, touched: Date.now() };
      this.byId.set(next.id, next);
      this.send("annotation.upsert", {
        annotation_id: next.id, document_id: next.document_id, version_id: next.version_id, page: next.page,
        kind: next.kind, data: next.data, shared: next.shared, revision,
      });
    } else {
      this.byId.set(before.id, { ...before, revision, deleted: true, touched: Date.now() });
      this.send("annotation.delete", { annotation_id: before.id, revision });
    }
    this.render();
  }

  change(before, after) {
    this.apply(before, after);
    this.undoStack.push({ before, after });
    this.redoStack = [];
  }

  undo() {
    const step = this.undoStack.pop();
    if (!step) return;
    this.apply(step.after, step.before);
    this.redoStack.push(step);
  }

  redo() {
    const step = this.redoStack.pop();
    if (!step) return;
    this.apply(step.before, step.after);
    this.undoStack.push(step);
  }

  eraseAt(event) {
    const hit = document.elementFromPoint(event.clientX, event.clientY)?.closest?.("[data-id]");
    const annotation = hit && this.byId.get(hit.dataset.id);
    if (!annotation || annotation.deleted) return;
    if (annotation.author_id !== this.me().user_id) {
      this.toast(this.t.annotate.not_yours);
      return;
    }
    this.change(annotation, null);
  }

  toggleShared(id) {
    const annotation = this.byId.get(id);
    if (!annotation || annotation.author_id !== this.me().user_id) return;
    this.change(annotation, { ...annotation, shared: !annotation.shared });
  }

  askNote(at) {
    const stage = this.layer.parentElement;
    stage.querySelector(".note-editor")?.remove();
    const input = el("textarea", { rows: 3, maxlength: 2000, "aria-label": this.t.annotate.note_text });
    const page = this.page;
    const save = () => {
      const text = input.value.trim();
      editor.remove();
      if (!text) return;
      const lines = Math.min(8, Math.ceil(text.length / 28) + text.split("\n").length - 1);
      const [x, y] = at;
      const rect = [Math.min(x, 0.7), Math.min(y, 0.9), Math.min(Math.min(x, 0.7) + 0.3, 1), Math.min(Math.min(y, 0.9) + 0.025 * lines + 0.02, 1)].map(round);
      this.create(newId(), "note", { rect, text, color: this.color, width: 0.004 }, { page });
    };
    const editor = el(
      "div",
      { class: "note-editor", style: notePopupStyle(at) },
      input,
      el("div", { class: "row" },
        el("button", { class: "button small primary", type: "button", onclick: save }, this.t.annotate.save_note),
        el("button", { class: "button small", type: "button", onclick: () => editor.remove() }, this.t.annotate.cancel)),
    );
    stage.append(editor);
    // Low on the page the editor would sit off the screen, or under the on-screen keyboard. Only as far
    // as needed, and inside the page's own scroll where it has one: the toolbars stay where they are.
    input.focus({ preventScroll: true });
    revealInside(editor);
  }

  // ---- someone else's pen, live -----------------------------------------------------------
  liveStroke(event) {
    if (this.ownStrokes.has(event.stroke_id)) return;
    const { w, h } = this.scale();
    let stroke = this.live.get(event.stroke_id);
    if (!stroke) {
      stroke = {
        documentId: event.document_id, page: event.page, points: [],
        node: svg("polyline", { class: "live-stroke", fill: "none", stroke: event.color, "stroke-width": event.width * w, "stroke-linecap": "round", "stroke-linejoin": "round" }),
      };
      this.live.set(event.stroke_id, stroke);
      if (this.page && this.page.documentId === stroke.documentId && this.page.page === stroke.page) this.layer.append(stroke.node);
    }
    stroke.points.push(...event.points);
    stroke.node.setAttribute("points", stroke.points.map(([x, y]) => `${x * w},${y * h}`).join(" "));
    clearTimeout(stroke.timer);
    // The finished stroke arrives as an annotation (if shared); a private one just fades from the others' view.
    stroke.timer = setTimeout(() => this.endLiveStroke(event.stroke_id), LIVE_STROKE_TIMEOUT_MS);
  }

  endLiveStroke(id) {
    const stroke = this.live.get(id);
    if (!stroke) return;
    clearTimeout(stroke.timer);
    stroke.node.remove();
    this.live.delete(id);
  }
}
