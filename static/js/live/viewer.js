// Reading the meeting's documents on a tablet: follow the presenter or browse on your own, swipe or
// use the arrow keys, pinch or double-tap to zoom, a strip of thumbnails, search within a document,
// and an annotation layer over the page. The chair (or whoever the chair hands over to) presents.

import { AnnotationLayer, notePopupStyle, revealInside } from "./annotate.js";
import { besideThePanels, el } from "./dom.js";
import { interpolate, pageUrl } from "./store.js";

const MAX_ZOOM = 4;

export function mountViewer({ store, connection, send, t, toast, config }) {
  const $ = (id) => document.getElementById(id);
  // versionId null: the current version. zoom 1: the page fits the width.
  const viewer = { documentId: null, versionId: null, page: 1, following: true, presenting: false, presentingSince: null, zoom: 1, handedToMe: false };
  const me = () => store.state.me;
  const presentation = () => store.state.presentation;
  const documentById = (id) => store.state.documents.find((d) => d.id === id);
  const canPresent = () => me().is_chair || presentation().handed_to === me().user_id;
  const fetched = new Set();

  const layer = new AnnotationLayer({
    layer: $("ink-layer"), t, toast, me,
    send: (type, fields) => send(type, fields),
    volatile: (type, fields) => connection.volatile(type, fields),
    onChange: () => renderTools(),
  });

  function shownVersion(doc) {
    return doc.versions?.find((v) => v.id === viewer.versionId) ?? { id: doc.version_id, number: doc.versions?.[0]?.number, page_count: doc.page_count };
  }

  function onPresentedPage() {
    const shown = presentation();
    const doc = documentById(viewer.documentId);
    return Boolean(shown.document_id && doc && viewer.documentId === shown.document_id && viewer.page === shown.page && shownVersion(doc).id === shown.version_id);
  }

  // ---- the page -----------------------------------------------------------------------------
  let loadingTimer = null;
  function showPage() {
    const image = $("page-image");
    const doc = documentById(viewer.documentId);
    $("page-frame").hidden = !doc;
    $("page-empty").hidden = Boolean(doc);
    if (!doc) {
      const shown = presentation().document_id;
      $("page-empty").textContent = shown && !documentById(shown) ? t.confidential_not_for_you : t.nothing_presented;
      $("page-label").textContent = "";
      layer.show(null);
    } else {
      const version = shownVersion(doc);
      viewer.page = Math.min(Math.max(1, viewer.page), version.page_count);
      // Upright, the document may be out of view behind another tab (no width): the page is fetched for
      // the width it will have there, not as a thumbnail stretched when the tab is chosen again.
      const stageWidth = $("page-stage").clientWidth || document.querySelector(".live-grid").clientWidth;
      const width = Math.round(stageWidth * viewer.zoom * (window.devicePixelRatio || 1));
      const src = pageUrl(config, doc.id, version.id, viewer.page, width);
      if (image.getAttribute("src") !== src) {
        // Until the new image arrives, keep the old one's shape so the annotations do not jump; on
        // slow wifi say that another page is coming rather than show the old one under the new title.
        // Another document's page goes at once (it may be a confidential one, and its mark goes with
        // it); the same document's after a moment, so a page already fetched ahead does not flicker.
        // A sharper image of the same page (zoomed, turned, resized) keeps the one shown until it comes.
        const frame = $("page-frame");
        const otherDocument = image.dataset.document !== String(doc.id) || image.dataset.version !== String(version.id);
        const otherPage = otherDocument || image.dataset.page !== String(viewer.page);
        clearTimeout(loadingTimer);
        const loading = () => { frame.dataset.loading = t.loading_page; };
        if (otherDocument) loading();
        else if (otherPage) loadingTimer = setTimeout(loading, 200);
        const loaded = () => {
          clearTimeout(loadingTimer);
          delete frame.dataset.loading;
        };
        image.onload = () => {
          loaded();
          if (layer.page) layer.show({ ...layer.page, aspect: image.naturalHeight / image.naturalWidth });
        };
        image.onerror = loaded;
        image.src = src;
      }
      // An open note belongs to the page it is on: another page closes it.
      if (image.dataset.page !== String(viewer.page) || image.dataset.version !== String(version.id)) $("page-frame").querySelector(".note-reader")?.remove();
      image.alt = `${doc.title} – ${viewer.page}/${version.page_count}`;
      image.dataset.page = String(viewer.page);
      image.dataset.document = String(doc.id);
      image.dataset.version = String(version.id);
      $("page-label").textContent = interpolate(t.page_of, { page: viewer.page, count: version.page_count });
      const aspect = image.complete && image.naturalWidth ? image.naturalHeight / image.naturalWidth : layer.page?.aspect;
      layer.show({ documentId: doc.id, versionId: version.id, page: viewer.page, aspect, shareNew: viewer.presenting || $("share-new").checked, streaming: viewer.presenting && onPresentedPage() });
      renderWatermark(doc);
      // The next pages are most likely next: fetch them now.
      for (const ahead of [1, 2]) {
        if (viewer.page + ahead <= version.page_count) new Image().src = pageUrl(config, doc.id, version.id, viewer.page + ahead, width);
      }
      loadAnnotations(doc.id);
    }
    $("doc-select").value = viewer.documentId ? String(viewer.documentId) : "";
    renderThumbnails();
    renderVersionNote();
    renderDownloads();
    renderControls();
  }

  function renderWatermark(doc) {
    const mark = $("watermark");
    mark.hidden = !doc.confidential;
    if (!doc.confidential) return;
    const time = new Intl.DateTimeFormat("vi-VN", { timeZone: config.timeZone, dateStyle: "short", timeStyle: "short" }).format(new Date());
    const line = `MẬT · ${me().name} · ${time}`;
    mark.replaceChildren(...Array.from({ length: 6 }, () => el("span", {}, line)));
  }

  function renderControls() {
    const live = store.state.meeting.state === "in_progress";
    // Once the meeting has ended nobody presents any more: there is nothing to follow or return to.
    const shown = live && presentation().document_id;
    // Not offered to whoever is on the presented page already, by their own turning.
    $("follow").hidden = !shown || viewer.following || viewer.presenting || onPresentedPage();
    // Which page (and document, if another) it leads to: the delegate decides whether to leave what they are reading.
    if (!$("follow").hidden) {
      const title = documentById(presentation().document_id)?.title ?? "";
      $("follow").textContent = viewer.documentId === presentation().document_id
        ? interpolate(t.back_to_page, { page: presentation().page })
        : interpolate(t.back_to_document, { title: title.length > 40 ? `${title.slice(0, 38)}…` : title, page: presentation().page });
    }
    $("following-badge").hidden = !shown || !viewer.following || viewer.presenting;
    $("present").hidden = !live || !canPresent() || viewer.presenting || !viewer.documentId;
    $("stop-present").hidden = !live || !canPresent() || !shown;
    renderHandover(live);
    document.body.classList.toggle("presenting", viewer.presenting && onPresentedPage());
  }

  // The chair lets the current item's presenter drive the screens, and takes it back.
  function renderHandover(live) {
    const button = $("handover");
    const handedTo = presentation().handed_to;
    const item = store.state.agenda.find((i) => i.id === store.state.meeting.current_item_id);
    const presenterId = item?.presenter_id;
    if (!live || !me().is_chair) {
      button.hidden = true;
    } else if (handedTo) {
      const person = store.state.attendance.participants.find((p) => p.user_id === handedTo);
      button.textContent = interpolate(t.take_back, { name: person ? person.name : "" });
      button.dataset.user = "";
      button.hidden = false;
    } else if (presenterId && presenterId !== me().user_id) {
      button.textContent = interpolate(t.hand_over, { name: item.presenter });
      button.dataset.user = String(presenterId);
      button.hidden = false;
    } else {
      button.hidden = true;
    }
  }

  // Presenting ends when presenting stops, when the chair takes the right back, or when someone
  // else turns a page after ours. Events numbered before our own first page turn arrived (still in
  // flight when we pressed "Present") do not count: that is why our first event's seq is kept.
  function settlePresenting(kind, event) {
    const shown = presentation();
    const after = viewer.presentingSince !== null && event.seq > viewer.presentingSince;
    let over = !canPresent();
    if (!shown.document_id) over ||= after;
    else if (kind === "present.page") {
      if (shown.presenter_id === me().user_id) viewer.presentingSince ??= event.seq;
      else over ||= after;
    }
    if (over) {
      setPresenting(false);
      viewer.following = true;
    }
  }

  // A tab that was presenting goes on presenting after a reload (a tablet's browser reloads a tab
  // it put to sleep): the presenter's next page turn must still move the room. The flag lives in
  // this tab's sessionStorage, so another screen of the same person only follows.
  const presentingKey = `presenting:${location.pathname}`;
  function setPresenting(on) {
    viewer.presenting = on;
    try {
      if (on) sessionStorage.setItem(presentingKey, "1");
      else sessionStorage.removeItem(presentingKey);
    } catch { /* storage unavailable: presenting lasts as long as the page */ }
  }
  function resumePresenting() {
    let remembered = false;
    try { remembered = sessionStorage.getItem(presentingKey) === "1"; } catch { /* as above */ }
    if (!remembered || viewer.presenting) return;
    const shown = presentation();
    const stillMine = store.state.meeting.state === "in_progress" && canPresent() && shown.document_id && shown.presenter_id === me().user_id;
    if (stillMine && viewer.documentId === shown.document_id && viewer.page === shown.page) {
      viewer.presenting = true;
      viewer.following = false;
      // Someone else's page turn after this snapshot ends it, as in settlePresenting.
      viewer.presentingSince = connection.seq;
    } else if (!stillMine) {
      setPresenting(false);
    }
  }

  function followPresenter() {
    const shown = presentation();
    // Nothing on the room's screen (stopped, or handed over and not yet presented): the reader stays on
    // their page, and the buttons say what can be done now (the presenter's "Present this page").
    if (!shown.document_id) { renderControls(); return; }
    const doc = documentById(shown.document_id);
    // A follower keeps their own zoom (older eyes zoom once, not on every page the presenter turns),
    // read from the top of a new page; another document starts whole.
    if (viewer.documentId !== shown.document_id) setZoom(1);
    else if (viewer.page !== shown.page) $("page-stage").scrollTop = 0;
    viewer.documentId = shown.document_id;
    viewer.versionId = doc && shown.version_id !== doc.version_id ? shown.version_id : null;
    viewer.page = shown.page;
    showPage();
  }

  // ---- what the room's screen shows of the page: the presenter's zoom and where they look ------
  let sentViewport = "";
  function presentedViewport() {
    const frame = $("page-frame");
    const stage = $("page-stage");
    if (viewer.zoom <= 1 || !frame.offsetWidth || !frame.offsetHeight) return undefined;
    const share = (value) => Math.min(1, Math.max(0, value));
    return {
      x: share(stage.scrollLeft / frame.offsetWidth),
      y: share(stage.scrollTop / frame.offsetHeight),
      zoom: Math.min(8, viewer.zoom),
      h: share(stage.clientHeight / frame.offsetHeight),
    };
  }
  function presentPage() {
    const viewport = presentedViewport();
    sentViewport = JSON.stringify(viewport ?? null);
    return send("present.page", { document_id: viewer.documentId, page: viewer.page, ...(viewport ? { viewport } : {}) });
  }
  let viewportTimer = null;
  function sendViewportSoon() {
    if (!viewer.presenting || !onPresentedPage()) return;
    clearTimeout(viewportTimer);
    viewportTimer = setTimeout(() => {
      if (viewer.presenting && onPresentedPage() && JSON.stringify(presentedViewport() ?? null) !== sentViewport) presentPage();
    }, 250);
  }

  /** versionId: undefined keeps the version shown (or the current one on another document); null is the current one. */
  function goTo(documentId, page, { byUser = true, versionId } = {}) {
    if (documentId !== viewer.documentId) setZoom(1);
    viewer.versionId = versionId !== undefined ? versionId : documentId === viewer.documentId ? viewer.versionId : null;
    viewer.documentId = documentId;
    viewer.page = page;
    if (byUser && !viewer.presenting) viewer.following = false;
    showPage();
    if (viewer.presenting && documentId) {
      if (documentById(documentId)?.confidential && documentId !== presentation().document_id) toast(t.confidential_presented);
      presentPage();
    }
  }

  function turn(delta) {
    const doc = documentById(viewer.documentId);
    if (!doc) return;
    const page = Math.min(Math.max(1, viewer.page + delta), shownVersion(doc).page_count);
    if (page !== viewer.page) goTo(doc.id, page);
  }

  // ---- zoom: pinch, double tap, and panning by scrolling ---------------------------------------
  function setZoom(zoom, focus) {
    const stage = $("page-stage");
    const before = viewer.zoom;
    viewer.zoom = Math.min(MAX_ZOOM, Math.max(1, zoom));
    $("page-frame").style.width = `${viewer.zoom * 100}%`;
    stage.classList.toggle("zoomed", viewer.zoom > 1);
    if (focus && before !== viewer.zoom) {
      const box = stage.getBoundingClientRect();
      const x = (stage.scrollLeft + focus.x - box.left) / before;
      const y = (stage.scrollTop + focus.y - box.top) / before;
      stage.scrollLeft = x * viewer.zoom - (focus.x - box.left);
      stage.scrollTop = y * viewer.zoom - (focus.y - box.top);
    }
    $("zoom-label").textContent = `${Math.round(viewer.zoom * 100)}%`;
    sendViewportSoon();
  }

  const pointers = new Map();
  let pinch = null;
  let swipe = null;
  let lastTap = 0;
  const stage = $("page-stage");
  // Listened to on the way down (capture), so two fingers pinch even with a drawing tool in hand.
  stage.addEventListener("pointerdown", (event) => {
    // Typing a note, or pressing a button of its panel: not a tap on the page, and what comes next
    // is not the second tap of a double tap.
    if (event.target.closest?.(".note-editor")) { lastTap = 0; return; }
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) {
      layer.cancelDrawing();
      layer.pinching = true;
      const [a, b] = [...pointers.values()];
      pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), zoom: viewer.zoom };
      swipe = null;
      return;
    }
    if (layer.tool !== "hand") return;
    swipe = { x: event.clientX, y: event.clientY };
    const now = Date.now();
    if (now - lastTap < 300) {
      setZoom(viewer.zoom > 1 ? 1 : 2.5, { x: event.clientX, y: event.clientY });
      showPage();
      lastTap = 0;
      swipe = null;
    } else {
      lastTap = now;
    }
  }, { capture: true });
  stage.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      setZoom(pinch.zoom * (Math.hypot(a.x - b.x, a.y - b.y) / pinch.distance), { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
    }
  }, { capture: true });
  const release = (event) => {
    pointers.delete(event.pointerId);
    if (pointers.size === 0) layer.pinching = false;
    if (pinch && pointers.size < 2) {
      pinch = null;
      showPage(); // a sharper image once the fingers stop
      return;
    }
    if (!swipe || event.type !== "pointerup") { swipe = null; return; }
    const dx = event.clientX - swipe.x;
    const dy = event.clientY - swipe.y;
    swipe = null;
    // A finger that moved was no tap: two quick swipes through the pages are not a double tap.
    if (Math.hypot(dx, dy) > 10) lastTap = 0;
    // A swipe turns the page, and, as on paper, leaves the presenter behind; zoomed in, it pans instead.
    if (viewer.zoom === 1 && Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy)) turn(dx < 0 ? 1 : -1);
  };
  stage.addEventListener("pointerup", release, { capture: true });
  stage.addEventListener("pointercancel", release, { capture: true });
  stage.addEventListener("scroll", sendViewportSoon, { passive: true });
  // Lying down, the viewer sticks under the top bar and the page scrolls inside it, so a finger on
  // the page would never move the meeting's head out of the way: reading on down the page does.
  let headLeaving = 0;
  stage.addEventListener("scroll", () => {
    if (!besideThePanels.matches || stage.scrollTop < 24 || Date.now() - headLeaving < 500) return;
    const box = $("viewer");
    const gap = box.getBoundingClientRect().top - (parseFloat(getComputedStyle(box).top) || 0);
    if (gap < 1) return;
    headLeaving = Date.now();
    window.scrollBy({ top: gap, behavior: "smooth" });
  }, { passive: true });
  // Trackpads and ctrl+wheel zoom as a pinch does.
  stage.addEventListener("wheel", (event) => {
    if (!event.ctrlKey) return;
    event.preventDefault();
    setZoom(viewer.zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1), { x: event.clientX, y: event.clientY });
  }, { passive: false });

  // ---- thumbnails -------------------------------------------------------------------------------
  function renderThumbnails() {
    const strip = $("thumbs");
    const doc = documentById(viewer.documentId);
    if (!doc || strip.hidden) return;
    const version = shownVersion(doc);
    const key = `${doc.id}:${version.id}`;
    if (strip.dataset.key !== key) {
      strip.dataset.key = key;
      strip.replaceChildren(
        ...Array.from({ length: version.page_count }, (_, index) =>
          el("button", { type: "button", class: "thumb", dataset: { page: String(index + 1) }, "aria-label": interpolate(t.page_of, { page: index + 1, count: version.page_count }), onclick: () => goTo(doc.id, index + 1) },
            el("img", { src: pageUrl(config, doc.id, version.id, index + 1, 200), loading: "lazy", alt: "" }),
            el("span", {}, String(index + 1)))),
      );
    }
    for (const thumb of strip.children) thumb.classList.toggle("current", Number(thumb.dataset.page) === viewer.page);
    const current = strip.querySelector(".thumb.current");
    // Scroll the strip only, never the page around it.
    if (current) strip.scrollLeft = current.offsetLeft - strip.clientWidth / 2 + current.clientWidth / 2;
  }

  // ---- search ---------------------------------------------------------------------------------
  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const doc = documentById(viewer.documentId);
    const query = event.target.elements.q.value.trim();
    const list = $("search-results");
    if (!doc || !query) { list.replaceChildren(); return; }
    const url = `${config.documentsPrefix}${doc.id}/versions/${shownVersion(doc).id}/search/?q=${encodeURIComponent(query)}`;
    let results;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) {
        toast(t.search.failed, "error");
        return;
      }
      results = (await response.json()).results;
    } catch {
      toast(t.search.offline, "error");
      return;
    }
    list.replaceChildren(
      ...(results.length
        ? results.map((hit) => el("li", {}, el("button", { type: "button", class: "search-hit", onclick: () => goTo(doc.id, hit.page) }, el("strong", {}, interpolate(t.search.page, { page: hit.page })), " ", hit.before, el("mark", {}, hit.match), hit.after)))
        : [el("li", { class: "muted" }, interpolate(t.search.nothing, { query }))]),
    );
  });

  // ---- annotations --------------------------------------------------------------------------
  async function loadAnnotations(documentId, { again = false } = {}) {
    if (fetched.has(documentId) && !again) return;
    fetched.add(documentId);
    const started = Date.now();
    try {
      const response = await fetch(`${config.documentsPrefix}${documentId}/annotations/`, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      // Changes still in the outbox are newer than what the server has: keep ours.
      const pending = new Set(connection.outbox.filter((c) => c.type.startsWith("annotation.")).map((c) => c.annotation_id));
      layer.replaceDocument(documentId, body.annotations, pending, started);
    } catch {
      fetched.delete(documentId); // offline: try again on the next page turn or reconnect
    }
    renderVersionNote();
  }

  function renderVersionNote() {
    const note = $("version-note");
    const doc = documentById(viewer.documentId);
    if (!doc || !doc.versions || doc.versions.length < 2) { note.hidden = true; return; }
    const shown = shownVersion(doc);
    const elsewhere = new Map();
    for (const a of layer.onDocument(doc.id)) {
      if (a.version_id !== shown.id && a.author_id === me().user_id) elsewhere.set(a.version_id, (elsewhere.get(a.version_id) || 0) + 1);
    }
    const parts = [];
    if (shown.id !== doc.version_id) {
      parts.push(interpolate(t.annotate.old_version, { number: shown.number }), el("button", { type: "button", class: "button small", onclick: () => goTo(doc.id, 1, { versionId: null }) }, t.annotate.open_current));
    }
    for (const [versionId, count] of elsewhere) {
      const version = doc.versions.find((v) => v.id === versionId);
      if (!version) continue;
      parts.push(el("span", {}, interpolate(t.annotate.on_version, { count, number: version.number })),
        el("button", { type: "button", class: "button small", onclick: () => goTo(doc.id, 1, { versionId }) }, interpolate(t.annotate.open_version, { number: version.number })));
    }
    note.replaceChildren(...parts);
    note.hidden = parts.length === 0;
  }

  function renderDownloads() {
    const doc = documentById(viewer.documentId);
    $("downloads").hidden = !doc;
    if (!doc) return;
    const version = shownVersion(doc);
    $("download-pdf").href = `${config.documentsPrefix}${doc.id}/${version.number ? `v${version.number}/` : ""}`;
    $("download-mine").href = `${config.documentsPrefix}${doc.id}/versions/${version.id}/annotated.pdf`;
    $("download-shared").href = `${config.documentsPrefix}${doc.id}/versions/${version.id}/annotated.pdf?shared=1`;
  }

  function renderTools() {
    for (const button of document.querySelectorAll("[data-tool]")) button.setAttribute("aria-pressed", String(button.dataset.tool === layer.tool));
    for (const button of document.querySelectorAll("[data-color]")) button.setAttribute("aria-pressed", String(button.dataset.color === layer.color));
    for (const button of document.querySelectorAll("[data-width]")) button.setAttribute("aria-pressed", String(Number(button.dataset.width) === layer.widthIndex));
    $("undo").disabled = layer.undoStack.length === 0;
    $("redo").disabled = layer.redoStack.length === 0;
  }

  for (const button of document.querySelectorAll("[data-tool]")) {
    button.addEventListener("click", () => {
      layer.setTool(button.dataset.tool);
      $("style-bar").hidden = ["hand", "eraser"].includes(layer.tool);
      renderTools();
    });
  }
  for (const button of document.querySelectorAll("[data-color]")) button.addEventListener("click", () => { layer.color = button.dataset.color; renderTools(); });
  for (const button of document.querySelectorAll("[data-width]")) button.addEventListener("click", () => { layer.widthIndex = Number(button.dataset.width); renderTools(); });
  $("undo").addEventListener("click", () => layer.undo());
  $("redo").addEventListener("click", () => layer.redo());
  $("share-new").addEventListener("change", () => { if (layer.page) layer.page.shareNew = viewer.presenting || $("share-new").checked; });
  // With the hand, a tap on one of your own annotations says who sees it and offers to share it or
  // keep it to yourself: sharing shows it to everyone who reads the document, guests and the press
  // included, so it is a choice made in words, never a stray tap. The chair's or a secretary's tap
  // on someone else's shared one offers to take it off the screens. A note too long for its box
  // opens in full, with those same choices.
  function toggleShared(annotation) {
    if (annotation.withheld && !annotation.shared) {
      toast(t.annotate.withheld);
      return;
    }
    layer.toggleShared(annotation.id);
    toast(layer.byId.get(annotation.id).shared ? t.annotate.now_shared : t.annotate.now_private);
  }
  async function withhold(annotation) {
    if (!confirm(interpolate(t.annotate.withhold_confirm, { name: annotation.author }))) return;
    const reply = await send("annotation.withhold", { annotation_id: annotation.id });
    if (reply.type === "ack") toast(t.annotate.withheld_done);
  }
  const mayWithhold = (annotation) => annotation.author_id !== me().user_id && annotation.shared && me().withholds_annotations;
  function openAnnotation(annotation, [x, y], { fullText }) {
    // On the page itself, like the note editor, so it opens beside the annotation however the page
    // is zoomed or scrolled; an editor being typed in stays.
    const frame = layer.layer.parentElement;
    frame.querySelector(".note-reader")?.remove();
    const mine = annotation.author_id === me().user_id;
    const audience = annotation.shared ? t.annotate.seen_by_everyone : layer.audienceOf(annotation);
    const action = (label, run, extra = "") => el("button", { type: "button", class: `button small ${extra}`, onclick: () => { reader.remove(); run(); } }, label);
    const reader = el(
      "div",
      { class: "note-editor note-reader", role: "dialog", style: notePopupStyle([x, Math.min(y, 0.6)]) },
      el("p", { class: "muted small" }, `${annotation.author} · ${audience}`),
      fullText ? el("div", { class: "note-full" }, annotation.data.text) : null,
      el("div", { class: "row" },
        mine && !annotation.withheld ? action(annotation.shared ? t.annotate.make_private : t.annotate.share, () => toggleShared(annotation), annotation.shared ? "" : "primary") : null,
        mayWithhold(annotation) ? action(t.annotate.withhold, () => withhold(annotation)) : null,
        action(t.annotate.close, () => {})),
    );
    frame.append(reader);
    revealInside(reader);
  }
  $("ink-layer").addEventListener("click", (event) => {
    if (layer.tool !== "hand") return;
    const shape = event.target.closest?.("[data-id]");
    const annotation = shape && layer.byId.get(shape.dataset.id);
    if (!annotation) return;
    const clipped = shape.classList.contains("clipped");
    if (clipped || annotation.author_id === me().user_id) {
      const box = layer.layer.getBoundingClientRect();
      // Under a note, not over it: what it says stays in sight beside what can be done with it.
      const rect = annotation.data.rect;
      const at = rect ? [rect[0], rect[3]] : [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
      openAnnotation(annotation, at, { fullText: clipped });
    } else if (mayWithhold(annotation)) withhold(annotation);
  });

  // ---- controls -------------------------------------------------------------------------------
  $("prev-page").addEventListener("click", () => turn(-1));
  $("next-page").addEventListener("click", () => turn(1));
  $("doc-select").addEventListener("change", (event) => goTo(Number(event.target.value) || null, 1));
  $("follow").addEventListener("click", () => { viewer.following = true; followPresenter(); });
  function startPresenting() {
    setPresenting(true);
    viewer.presentingSince = null;
    viewer.following = false;
    viewer.versionId = null; // the room sees the current version
    if (documentById(viewer.documentId)?.confidential) toast(t.confidential_presented);
    presentPage().then((reply) => {
      if (reply.type === "error") { setPresenting(false); showPage(); }
    });
    showPage();
  }
  $("present").addEventListener("click", startPresenting);
  $("stop-present").addEventListener("click", () => { setPresenting(false); send("present.stop"); showPage(); });
  $("handover").addEventListener("click", async (event) => {
    const user = event.currentTarget.dataset.user;
    const reply = await send("present.handover", { user_id: user ? Number(user) : null });
    // Taking it back, the chair drives the room's screen from the page the presenter left it on: their
    // next page turn reaches everyone, without a "Present this page" first.
    if (!user && reply.type === "ack" && presentation().document_id && !viewer.presenting) {
      viewer.following = true;
      followPresenter();
      startPresenting();
    }
  });
  $("toggle-thumbs").addEventListener("click", (event) => {
    $("thumbs").hidden = !$("thumbs").hidden;
    event.currentTarget.setAttribute("aria-pressed", String(!$("thumbs").hidden));
    renderThumbnails();
  });
  $("toggle-search").addEventListener("click", (event) => {
    $("search-form").hidden = !$("search-form").hidden;
    event.currentTarget.setAttribute("aria-pressed", String(!$("search-form").hidden));
    if (!$("search-form").hidden) $("search-form").elements.q.focus();
  });
  $("zoom-in").addEventListener("click", () => { setZoom(viewer.zoom * 1.5); showPage(); });
  $("zoom-out").addEventListener("click", () => { setZoom(viewer.zoom / 1.5); showPage(); });
  document.addEventListener("keydown", (event) => {
    // Not while typing, nor while a dialog (a ballot, a result) is over the page.
    if (event.target.closest("input, textarea, select, dialog, [role=dialog]")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") turn(1);
    if (event.key === "ArrowLeft" || event.key === "PageUp") turn(-1);
    // The page's own zoom from the keyboard, where the buttons are hidden (a narrow or enlarged screen);
    // with Ctrl the browser zooms the whole screen, as it should.
    if (!event.ctrlKey && !event.metaKey && !event.altKey) {
      if (event.key === "+" || event.key === "=") { setZoom(viewer.zoom * 1.5); showPage(); }
      if (event.key === "-") { setZoom(viewer.zoom / 1.5); showPage(); }
      if (event.key === "0") { setZoom(1); showPage(); }
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "z") { event.preventDefault(); event.shiftKey ? layer.redo() : layer.undo(); }
  });

  function renderDocuments() {
    const select = $("doc-select");
    const items = new Map(store.state.agenda.map((item) => [item.id, item]));
    const groups = new Map();
    for (const doc of store.state.documents) {
      const key = items.has(doc.agenda_item_id) ? doc.agenda_item_id : null;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(doc);
    }
    const option = (doc) => el("option", { value: String(doc.id) }, `${doc.title}${doc.confidential ? " (" + t.confidential + ")" : ""}`);
    const ordered = store.state.agenda.filter((item) => groups.has(item.id)).map((item) => el("optgroup", { label: `${item.number}. ${item.title}` }, ...groups.get(item.id).map(option)));
    if (groups.has(null)) ordered.push(el("optgroup", { label: t.whole_meeting_documents }, ...groups.get(null).map(option)));
    select.replaceChildren(el("option", { value: "" }, t.choose_document), ...ordered);
    select.value = viewer.documentId ? String(viewer.documentId) : "";
  }

  // Resized, turned, or shown again behind its tab: a page as sharp as the new width.
  let observedWidth = 0;
  new ResizeObserver(() => {
    const now = $("page-stage").clientWidth;
    if (now === observedWidth) return;
    observedWidth = now;
    if (store.state && now) showPage();
  }).observe($("page-stage"));
  renderTools();

  return {
    viewer,
    layer,
    onSnapshot() {
      viewer.handedToMe = presentation().handed_to === me().user_id;
      renderDocuments();
      // Opened from the meeting page's "Read and annotate": that document, on your own.
      const asked = new URLSearchParams(location.hash.slice(1));
      if (asked.has("doc") && documentById(Number(asked.get("doc")))) {
        viewer.documentId = Number(asked.get("doc"));
        viewer.page = Number(asked.get("page")) || 1;
        viewer.following = false;
        history.replaceState(null, "", location.pathname);
      }
      if (store.state.annotations) layer.merge(store.state.annotations);
      // Back from a reconnect: what changed meanwhile is fetched again (targeted messages are not replayed).
      fetched.clear();
      if (viewer.following || viewer.documentId === null) followPresenter();
      resumePresenting();
      if (viewer.documentId === null || !documentById(viewer.documentId)) { viewer.documentId = null; showPage(); }
      else showPage();
    },
    onReconnect() {
      fetched.clear();
      if (viewer.documentId) loadAnnotations(viewer.documentId, { again: true });
    },
    onEvent(kind, event) {
      if (kind === "agenda.current") {
        renderDocuments();
        // Following the meeting with nothing on the room's screen: the new item's document opens (the chair
        // then presents it with one tap). Whoever reads on their own, or presents, stays where they are.
        const opening = !presentation().document_id && viewer.following && !viewer.presenting
          && store.state.documents.find((doc) => doc.agenda_item_id === event.current_item_id);
        if (opening) { viewer.documentId = opening.id; viewer.versionId = null; viewer.page = 1; setZoom(1); }
        showPage();
      }
      if (kind === "meeting.state") renderControls();
      // The presenter the chair hands over to is told, with what to do: until they press "Present
      // this page" their page turns move only their own tablet.
      if (kind === "present.handover" && !me().is_chair) {
        const mine = presentation().handed_to === me().user_id;
        if (mine) toast(t.handed_to_you);
        else if (viewer.handedToMe) toast(t.taken_back_from_you);
        viewer.handedToMe = mine;
      }
      if (kind.startsWith("present.")) {
        if (viewer.presenting) settlePresenting(kind, event);
        if (viewer.following) followPresenter();
        else showPage();
      }
      if (kind === "annotation.upsert") { layer.merge([event.annotation]); renderVersionNote(); }
      if (kind === "annotation.delete") layer.forget(event.id, event.document_id, event.revision);
      if (kind === "stroke.points") layer.liveStroke(event);
    },
  };
}
