// Upright or on a phone, the document and the side panels cannot stand side by side, and stacked they
// put the speakers' queue and the votes a screen or more below the page. There the room is shown one
// part at a time, chosen from a row of tabs that stays at the top of the screen; each tab says what
// waits in its part (who asks to speak, a vote open, who is still to be marked) and is marked when that
// changes out of sight. Lying down (live.css) every part is in view and the tabs are not shown.

import { besideThePanels } from "./dom.js";
import { interpolate } from "./store.js";

export function mountPanes({ store, t, config, ballotOwed, mayVote, onShow }) {
  const bar = document.getElementById("pane-tabs");
  const row = bar.querySelector("[role=tablist]");
  const tabs = [...bar.querySelectorAll("[data-pane-tab]")];
  const grid = document.querySelector(".live-grid");
  const storageKey = `live-pane:${config.meetingId}`;
  const main = (tab) => document.getElementById(tab.getAttribute("aria-controls"));
  const tabFor = (name) => tabs.find((tab) => tab.dataset.paneTab === name);
  const usable = (tab) => Boolean(tab && main(tab) && !main(tab).hidden);
  // Written opinions run for days outside the room: only votes in the room are counted or moved to.
  const openVotes = () => store.state?.polls.filter((poll) => poll.mode === "live" && poll.state === "open") ?? [];
  let current = "viewer";
  let beforeTheVote = null; // the part a vote took a delegate's screen from (onEvent)
  // The part last chosen, and whether it could not be shown (the votes come with the first snapshot, and
  // go when there are none): it is shown again once it can be.
  let wanted = "viewer";
  let fellBack = false;
  // What each tab's count said when its part was last in view: more since then is news.
  const lastSeen = new Map();

  function show(name, { byUser = false } = {}) {
    if (byUser) {
      wanted = name;
      beforeTheVote = null; // moved on by hand: the vote's end does not move them back
    }
    fellBack = !usable(tabFor(name));
    if (fellBack) name = "viewer";
    current = name;
    // An attribute, not a class: the parts' own classes are redrawn whole (the quorum's met / not met).
    for (const part of grid.querySelectorAll("[data-pane]")) part.toggleAttribute("data-shown", part.dataset.pane === name);
    for (const each of tabs) {
      const on = each.dataset.paneTab === name;
      each.setAttribute("aria-selected", String(on));
      each.tabIndex = on ? 0 : -1;
    }
    markNews(tabFor(name), false);
    inSight(tabFor(name));
    lastSeen.set(name, counts()[name]?.value ?? 0);
    if (!byUser) return;
    try { sessionStorage.setItem(storageKey, name); } catch { /* private browsing: the choice lasts until reload */ }
    // Scrolled down a long page, the part chosen starts under the tabs, not somewhere below the fold.
    if (!besideThePanels.matches && grid.getBoundingClientRect().top < bar.getBoundingClientRect().bottom) {
      grid.scrollIntoView({ block: "start" });
    }
    onShow?.(name);
  }

  /** The chosen tab wholly in the row, which scrolls sideways on a phone (the window does not move). */
  function inSight(tab) {
    const box = row.getBoundingClientRect();
    const own = tab.getBoundingClientRect();
    // Clear of the faded edge (3rem), not just inside the row.
    if (own.left < box.left + 48) row.scrollLeft -= box.left + 48 - own.left;
    else if (own.right > box.right - 48) row.scrollLeft += own.right - (box.right - 48);
    edges();
  }

  /** Where the row goes on past the screen's edge, that edge fades: there is more to scroll to; and a
   * dot there when a tab beyond it has something new. */
  function edges() {
    row.classList.toggle("more-before", row.scrollLeft > 2);
    row.classList.toggle("more-after", row.scrollLeft + row.clientWidth < row.scrollWidth - 2);
    const box = row.getBoundingClientRect();
    const news = tabs.filter((tab) => !tab.hidden && tab.classList.contains("news")).map((tab) => tab.getBoundingClientRect());
    bar.classList.toggle("news-before", news.some((own) => own.left < box.left + 24));
    bar.classList.toggle("news-after", news.some((own) => own.right > box.right - 24));
  }

  /** The red dot, and the same said to a screen reader. */
  function markNews(tab, on) {
    tab.classList.toggle("news", on);
    tab.querySelector(".pane-news").hidden = !on;
    edges();
  }

  /** What each tab says beside its name, from the live state. */
  function counts() {
    const state = store.state;
    if (!state) return {};
    const me = state.me;
    const runs = me.is_chair || me.keeps_attendance;
    const waiting = state.speakers.queue.length;
    const open = openVotes().length;
    const { participants, quorum } = state.attendance;
    const unmarked = participants.filter((p) => p.attendance === "unknown").length;
    return {
      // A new request is news to whoever gives the floor; to the others the count is enough.
      speakers: { value: waiting, text: waiting ? String(waiting) : "", label: waiting ? interpolate(t.panes.waiting, { count: waiting }) : "", news: runs },
      // Red while this tablet still has a ballot to cast; once cast, the vote is only counted.
      votes: { value: open, text: open ? String(open) : "", label: open ? interpolate(t.panes.open_votes, { count: open }) : "", urgent: open > 0 && ballotOwed() },
      // Whoever runs the meeting sees the quorum from every part: present of those who vote, red without it.
      attendance: runs
        ? { value: unmarked, text: `${quorum.present}/${quorum.voting}`, label: interpolate(quorum.met ? t.quorum_met : t.quorum_not_met, quorum), urgent: !quorum.met }
        : { value: 0, text: "" },
    };
  }

  let primed = false;
  let currentWidth = 0;
  function render() {
    // What is already waiting when the room is opened is in the counts; only what comes after is news.
    if (!primed && store.state) {
      for (const [name, count] of Object.entries(counts())) lastSeen.set(name, count.value);
      primed = true;
    }
    for (const tab of tabs) tab.hidden = !usable(tab);
    // The part chosen is shown as soon as it can be; one that went falls back to the document (show).
    if (fellBack || !usable(tabFor(current))) show(wanted);
    // A vote that ended without its event reaching here (a new snapshot instead) gives the screen back too.
    if (beforeTheVote !== null && !openVotes().length) {
      if (current === "votes") show(beforeTheVote);
      beforeTheVote = null;
    }
    const now = counts();
    for (const tab of tabs) {
      const name = tab.dataset.paneTab;
      const count = now[name];
      const badge = tab.querySelector(".pane-count");
      badge.hidden = !count?.text;
      badge.textContent = count?.text ?? "";
      badge.classList.toggle("urgent", Boolean(count?.urgent));
      // The number is shown; what it counts is said (a bare "2" tells a screen reader nothing).
      tab.querySelector(".pane-said").textContent = count?.label ? `, ${count.label}` : "";
      if (!count) continue;
      if (name === current) lastSeen.set(name, count.value);
      // Fewer out of sight (a request withdrawn) lowers the mark, so the next one is news again.
      else if (count.value < (lastSeen.get(name) ?? 0)) lastSeen.set(name, count.value);
      else if (count.value > (lastSeen.get(name) ?? 0) && count.news !== false) markNews(tab, true);
      // What was waiting is gone (the request withdrawn, the vote closed): nothing new is left to see.
      else if (!count.value) markNews(tab, false);
    }
    // A count come or gone changes the chosen tab's width: it stays wholly in sight. (Only then: whoever
    // swiped the row to look along it is not pulled back by every event.)
    const width = tabFor(current).offsetWidth;
    if (width !== currentWidth) inSight(tabFor(current));
    currentWidth = width;
    edges();
  }

  // What the tabs say changes only with these (not with every pen stroke or line of the minutes).
  const TOLD = ["speaker.", "poll.", "attendance.", "proxy.", "present.", "meeting.", "agenda."];
  // A vote opened in the room takes a delegate's screen to the votes (their ballot, or why they have
  // none: not checked in) and gives it back when it closes (render). Whoever runs the meeting is only
  // told, by the tab.
  function onEvent(kind, event) {
    if (!TOLD.some((prefix) => kind.startsWith(prefix))) return;
    if ((kind === "present.page" || kind === "present.handover") && current !== "viewer") markNews(tabFor("viewer"), true);
    render();
    const me = store.state?.me;
    if (!me || me.is_chair || me.keeps_attendance || event?.poll?.mode !== "live" || !mayVote()) return;
    if (kind === "poll.open" && current !== "votes" && usable(tabFor("votes"))) {
      beforeTheVote = current;
      show("votes");
    }
  }

  for (const tab of tabs) {
    tab.addEventListener("click", () => show(tab.dataset.paneTab, { byUser: true }));
    // One tab stop for the row; the arrows move along it, as in any row of tabs.
    tab.addEventListener("keydown", (event) => {
      const visible = tabs.filter((each) => !each.hidden);
      const at = visible.indexOf(tab);
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: visible.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const next = visible[(to + visible.length) % visible.length];
      show(next.dataset.paneTab, { byUser: true });
      next.focus();
    });
  }
  row.addEventListener("scroll", edges, { passive: true });
  window.addEventListener("resize", edges);

  // Each tab names the part it shows, as a tab panel, only while they are tabs: side by side the
  // parts are the page's own sections again.
  function panels() {
    const asTabs = !besideThePanels.matches;
    for (const tab of tabs) {
      tab.id ||= `pane-tab-${tab.dataset.paneTab}`;
      const part = main(tab);
      if (!part) continue;
      if (asTabs) {
        part.setAttribute("role", "tabpanel");
        part.setAttribute("aria-labelledby", tab.id);
      } else {
        part.removeAttribute("role");
        part.removeAttribute("aria-labelledby");
      }
    }
  }
  besideThePanels.addEventListener("change", panels);
  panels();

  // Parts come and go with the meeting (the votes, the minutes, the notice form): their tabs with them.
  const watcher = new MutationObserver(() => render());
  for (const tab of tabs) if (main(tab)) watcher.observe(main(tab), { attributes: true, attributeFilter: ["hidden"] });

  // What sticks above the tabs (live.css): the top bar where it stays (it wraps on a narrow tablet), the
  // chair's notice until it is closed, and the speaker's bar while someone speaks. The tabs stick under them.
  const sticking = (node, property) => {
    const measure = () => {
      const sticks = !node.hidden && getComputedStyle(node).position === "sticky";
      document.documentElement.style.setProperty(property, `${sticks ? node.offsetHeight : 0}px`);
    };
    new ResizeObserver(measure).observe(node);
    window.addEventListener("resize", measure);
  };
  sticking(document.querySelector(".topbar"), "--topbar-h");
  sticking(document.getElementById("chair-notice"), "--notice-h");
  sticking(document.getElementById("speaker-bar"), "--speaker-bar-h");

  try { wanted = sessionStorage.getItem(storageKey) || "viewer"; } catch { /* no storage: the document first */ }
  show(wanted);
  render();

  return {
    render,
    onEvent,
    /** Bring a part into view (the quorum's "take attendance" link, on any screen). */
    show: (name) => { if (!besideThePanels.matches) show(name, { byUser: true }); },
  };
}
