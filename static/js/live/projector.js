// The room's projector: read-only, full screen, readable from the back of the room.

import { itemsAround } from "./agenda-time.js";
import { AnnotationLayer } from "./annotate.js";
import { LiveConnection } from "./connection.js";
import { el } from "./dom.js";
import { onRecess, recessCountdown } from "./recess.js";
import { HELD_STATES, LiveStore, clockTime, interpolate, pageUrl, personLabel, showSpeechTimer } from "./store.js";
import { annulledView, endedKicker, progressView, resultView } from "./voting.js";
import { conclusionLabel } from "./conclusions.js";

const config = JSON.parse(document.getElementById("live-config").textContent);
const t = JSON.parse(document.getElementById("live-strings").textContent);
const $ = (id) => document.getElementById(id);
const store = new LiveStore();
// The room sees shared annotations and the presenter's pen, never the private notes of whoever is logged in here.
const layer = new AnnotationLayer({
  layer: $("proj-ink"), t, me: () => store.state.me, send: () => {}, volatile: () => {}, toast: () => {},
  visible: (annotation) => annotation.shared,
});

function renderItem() {
  const { meeting, agenda } = store.state;
  const item = agenda.find((i) => i.id === meeting.current_item_id);
  const box = $("proj-item");
  box.replaceChildren();
  if (item) {
    const number = document.createElement("span");
    number.className = "num";
    number.textContent = `${item.number}.`;
    box.append(number, item.title);
  } else {
    box.textContent = HELD_STATES.includes(meeting.state) ? t.ended : t.idle;
  }
}

/** The presenter's region grown to the shape of the room's screen, as large on it as before: a laptop's
 * short, wide view would otherwise be a thin strip across the projector. It grows downwards (what is read
 * next) or to both sides, and stays on the page. */
function widened(region, aspect, room) {
  const shown = { ...region };
  const roomShape = room.h / room.w;
  const regionShape = (region.h * aspect) / region.w;
  if (regionShape < roomShape) {
    shown.h = Math.min(1, (region.w * roomShape) / aspect);
    shown.y = Math.max(0, Math.min(region.y, 1 - shown.h));
  } else {
    shown.w = Math.min(1, (region.h * aspect) / roomShape);
    shown.x = Math.max(0, Math.min(region.x - (shown.w - region.w) / 2, 1 - shown.w));
  }
  return shown;
}

function renderPage() {
  const { presentation, documents, meeting } = store.state;
  const image = $("proj-page");
  const frame = $("proj-frame");
  const idle = $("proj-idle");
  const found = documents.find((d) => d.id === presentation.document_id);
  // The projector is seen by everyone in the room, the press included: a confidential document
  // stays on the tablets of those allowed to read it, whoever is logged in on this screen.
  const doc = found && !found.confidential ? found : null;
  if (doc) {
    const stage = $("proj-stage");
    // The part of the page the presenter has zoomed to (all of it when they have not), as large as
    // the screen allows: small print becomes readable from the back of the room.
    const view = presentation.viewport || {};
    const zoom = view.zoom > 1 ? view.zoom : 1;
    const region = zoom > 1 ? { x: view.x || 0, y: view.y || 0, w: 1 / zoom, h: view.h || 1 / zoom } : { x: 0, y: 0, w: 1, h: 1 };
    const width = Math.round(stage.clientWidth * zoom * (window.devicePixelRatio || 1));
    const versionId = presentation.version_id || doc.version_id;
    const fit = () => {
      const aspect = image.naturalHeight / image.naturalWidth;
      const room = { w: stage.clientWidth * 0.98, h: stage.clientHeight * 0.98 };
      const shown = zoom > 1 ? widened(region, aspect, room) : region;
      // The whole page's width on screen, so that the region fills the room it has.
      const pageWidth = Math.min(room.w / shown.w, room.h / (shown.h * aspect));
      frame.style.width = `${shown.w * pageWidth}px`;
      frame.style.height = `${shown.h * pageWidth * aspect}px`;
      const shift = `translate(${-shown.x * pageWidth}px, ${-shown.y * pageWidth * aspect}px)`;
      for (const node of [image, $("proj-ink")]) {
        node.style.width = `${pageWidth}px`;
        node.style.height = `${pageWidth * aspect}px`;
        node.style.transform = shift;
      }
      layer.show({ documentId: doc.id, versionId, page: presentation.page, aspect });
    };
    image.onload = fit;
    image.src = pageUrl(config, doc.id, versionId, presentation.page, width);
    if (image.complete && image.naturalWidth) fit();
    image.dataset.page = String(presentation.page);
    frame.hidden = false;
    idle.hidden = true;
    loadAnnotations(doc.id);
  } else {
    frame.hidden = true;
    idle.hidden = false;
    if (found) idle.replaceChildren(el("p", { class: "proj-confidential" }, t.confidential_not_projected));
    else if (presentation.document_id) idle.replaceChildren(el("p", {}, t.confidential_not_for_you));
    else renderAgenda();
    layer.show(null);
  }
}

// With nothing presented the screen shows the meeting and its agenda: what people walking in look
// for, and during the meeting where the room has got to.
function renderAgenda() {
  const { meeting, agenda } = store.state;
  // Day before month in English too ("en-GB"), on a 24-hour clock: "12/09" here is the 12th of September.
  const locale = document.documentElement.lang === "en" ? "en-GB" : document.documentElement.lang || "vi";
  const when = new Date(meeting.starts_at).toLocaleString(locale, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: config.timeZone,
  });
  const around = itemsAround(agenda, meeting.current_item_id);
  const rows = agenda.map((item) => el("li", {
    class: ["depth-" + item.depth, item.done && !around.has(item.id) ? "done" : "", item.id === meeting.current_item_id ? "current" : ""].join(" ").trim(),
  }, el("span", { class: "num" }, `${item.number}.`), el("span", { class: "title" }, item.title),
  item.presenter ? el("span", { class: "presenter" }, item.presenter) : null));
  $("proj-idle").replaceChildren(
    el("h1", { class: "proj-idle-title" }, meeting.title),
    el("p", { class: "proj-idle-when" }, meeting.location ? `${when} · ${meeting.location}` : when),
    ...(rows.length ? [el("ol", { class: rows.length > 9 ? "proj-agenda long" : "proj-agenda" }, ...rows)] : []),
  );
}

const fetchedDocuments = new Set();
async function loadAnnotations(documentId) {
  if (fetchedDocuments.has(documentId)) return;
  fetchedDocuments.add(documentId);
  try {
    const response = await fetch(`${config.documentsPrefix}${documentId}/annotations/`, { credentials: "same-origin" });
    layer.replaceDocument(documentId, (await response.json()).annotations, new Set(), Date.now());
  } catch {
    fetchedDocuments.delete(documentId);
  }
}

// As many names as fit on one line of the footer at the back of the room.
const QUEUE_SHOWN = 4;

function renderSpeaker() {
  const speaking = store.state.speakers.speaking;
  $("proj-speaker").textContent = speaking ? `${t.speaking}: ${personLabel(speaking)}` : "";
  $("proj-speaker-topic").textContent = speaking?.topic ? interpolate(t.speaks_about, { topic: speaking.topic }) : "";
  // How many wait comes first: a long name may cut the line short, never the count.
  const queue = store.state.meeting.state === "in_progress" ? store.state.speakers.queue : [];
  // A single name needs no number: "(1): 1. Name" reads as the same count twice.
  const shown = queue.slice(0, QUEUE_SHOWN).map((request, index) => (queue.length > 1 ? `${index + 1}. ${request.name}` : request.name));
  if (queue.length > QUEUE_SHOWN) shown.push("…");
  $("proj-queue").textContent = shown.length ? `${interpolate(t.next_speakers, { count: queue.length })}: ${shown.join(" · ")}` : "";
  // No empty band at the bottom of the screen while nobody speaks or waits.
  document.querySelector(".proj-foot").hidden = !speaking && !shown.length;
  tick();
}

// A break fills the screen: the room reads from its seats when the meeting goes on.
function renderRecess() {
  const meeting = store.state.meeting;
  $("proj-recess").hidden = !onRecess(meeting);
  if (onRecess(meeting)) $("proj-recess-until").textContent = interpolate(t.recess.until, { time: clockTime(meeting.recess_until, config) });
  tick();
}

function tick() {
  $("proj-clock").textContent = clockTime(store.now(), config);
  const meeting = store.state?.meeting;
  if (meeting && onRecess(meeting)) recessCountdown($("proj-recess-left"), meeting, store.now(), t, { runs: false });
  showSpeechTimer($("proj-timer"), store.state?.speakers.speaking, store.now());
}

// A notice ("a 10-minute break") stays on the room's screen until the meeting moves on (nobody
// can close it here); an item's conclusion read out stays half a minute.
let noticeTimer = null;
function showNotice(event, { seconds = null } = {}) {
  const box = $("proj-notice");
  box.textContent = event.text;
  box.classList.toggle("long", event.text.length > 200);
  box.hidden = false;
  clearTimeout(noticeTimer);
  if (seconds) noticeTimer = setTimeout(() => { box.hidden = true; }, seconds * 1000);
}
// What takes the last notice and result off the screen: the room moving on, or the chair clearing it.
const MOVES_ON = new Set(["agenda.current", "present.page", "speaker.start", "poll.open", "meeting.state", "projector.clear"]);

// An open vote shows its progress (never a tally); a closed one its result, until the room moves on.
let shownResult = null;
function renderPoll(kind, event) {
  const box = $("proj-poll");
  const open = store.state.polls.find((poll) => poll.mode === "live" && poll.state === "open");
  // An annulled vote says so, with the reason, where its progress or result was.
  // Only a vote taken in the room: written opinions close outside it, on their own time.
  const inTheRoom = event?.poll?.mode === "live";
  if ((kind === "poll.close" || kind === "poll.annul") && inTheRoom) shownResult = event.poll.id;
  if (kind === "agenda.current" || kind === "present.page" || (kind === "poll.open" && inTheRoom) || kind === "projector.clear") shownResult = null;
  const closed = store.state.polls.find((poll) => poll.id === shownResult && ["closed", "annulled"].includes(poll.state));
  const poll = open || closed;
  box.hidden = !poll;
  if (!poll) return;
  let body;
  if (poll === open) body = progressView(poll, t);
  else if (poll.state === "annulled") body = annulledView(poll, t);
  else body = resultView(poll, t);
  box.replaceChildren(
    el(
      "div",
      { class: "proj-poll-body" },
      el("div", { class: "proj-poll-kicker" }, poll === open ? (poll.secret ? t.poll.secret_ballot : t.poll.states.open) : endedKicker(poll, t)),
      el("h2", {}, poll.question),
      body,
    ),
  );
  // Nobody taps the projector: who voted what is shown, not folded away.
  box.querySelector("details")?.setAttribute("open", "");
  fitPoll();
}

// Nobody scrolls the projector either: a result longer than the room it has (a notice above it, the
// speakers' band below) is made smaller until all of it, the verdict and who voted what, is in sight.
function fitPoll() {
  const box = $("proj-poll");
  const body = box.querySelector(".proj-poll-body");
  if (box.hidden || !body) return;
  const style = getComputedStyle(box);
  const room = box.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  let zoom = 1;
  body.style.zoom = "1";
  // Measured on the screen (the zoom included), not in the body's own units.
  const height = () => body.getBoundingClientRect().height;
  for (let round = 0; round < 3 && height() > room + 1; round += 1) {
    zoom = Math.max(0.4, zoom * (room / height()) * 0.98);
    body.style.zoom = String(zoom);
  }
}

// The presenter zooming or panning sends the same page again; only another page moves the room on.
let shownPage = "";
function turnedPage() {
  const { document_id: documentId, page } = store.state.presentation;
  const was = shownPage;
  shownPage = `${documentId}:${page}`;
  return shownPage !== was;
}

store.subscribe((kind, event) => {
  if (kind === "snapshot") shownPage = `${store.state.presentation.document_id}:${store.state.presentation.page}`;
  const movedOn = kind === "present.page" ? turnedPage() : MOVES_ON.has(kind);
  if (kind === "snapshot" || kind.startsWith("poll.") || kind === "agenda.current" || kind === "projector.clear" || (kind === "present.page" && movedOn)) {
    renderPoll(kind, event);
  }
  if (kind === "snapshot" || kind === "meeting.state" || kind === "agenda.current") renderItem();
  if (kind === "snapshot") fetchedDocuments.clear();
  if (kind === "snapshot" || kind.startsWith("present.")) renderPage();
  else if ((kind === "agenda.current" || kind === "meeting.state") && !$("proj-idle").hidden && !store.state.presentation.document_id) renderAgenda();
  if (kind === "annotation.upsert") layer.merge([event.annotation]);
  if (kind === "annotation.delete") layer.forget(event.id, event.document_id, event.revision);
  if (kind === "stroke.points") layer.liveStroke(event);
  if (kind === "snapshot" || kind === "meeting.state" || kind.startsWith("speaker.")) renderSpeaker();
  if (kind === "snapshot" || kind === "meeting.state") renderRecess();
  if (movedOn) { clearTimeout(noticeTimer); $("proj-notice").hidden = true; }
  if (kind === "notice") showNotice(event);
  // The meeting's own conclusion is read out at length before closing: it stays while it is read.
  if (kind === "minutes.conclusion") {
    showNotice({ text: `${conclusionLabel(event.item_id, t)}: ${event.text}` }, { seconds: event.item_id ? 30 : null });
  }
});

const connection = new LiveConnection({
  path: config.socketPath,
  heartbeatSeconds: config.heartbeatSeconds,
  build: config.build,
  storageKey: `live-outbox:projector:${config.meetingId}`,
  onSnapshot: (snapshot) => store.loadSnapshot(snapshot),
  onEvent: (event) => store.apply(event),
  onStatus: (state) => {
    const box = $("proj-offline");
    box.hidden = state === "online";
    box.textContent = ["offline", "reconnecting"].includes(state) ? t.connection.screen_lost : t.connection[state] || "";
  },
});
setInterval(() => { if (store.state) tick(); }, 500);
// The stage changes size when the window does, and when the speakers' band or a notice comes and goes:
// the page is fitted again to the room it has, never left cut off under the band.
new ResizeObserver(() => { if (store.state) { renderPage(); fitPoll(); } }).observe($("proj-stage"));
connection.connect();
window.liveProjector = { store, connection };
