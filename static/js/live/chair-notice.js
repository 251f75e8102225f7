// The chair's notices to the room: pinned on every screen until read and closed, not over the
// sender's own controls. The newest one this tablet has shown is kept for the tab's life, so one
// sent while it was offline (which a reconnection's fresh snapshot brings, not an event) or before a
// reload is shown on return, and nothing twice. One shown and not yet closed is shown again after a
// reload: closing it is what says it was read. Once the meeting has ended none is pinned: what the
// chair asked of the room no longer applies.

import { HELD_STATES, clockTime } from "./store.js";

export function mountChairNotices({ store, t, toast, config }) {
  const box = document.getElementById("chair-notice");
  const seenKey = `live-notice-seen:${config.meetingId}`;
  const pinnedKey = `live-notice-pinned:${config.meetingId}`;
  let seen = Number(sessionStorage.getItem(seenKey)) || null;
  let pinned = Number(sessionStorage.getItem(pinnedKey)) || null;

  function remember(seq) {
    seen = Math.max(seen ?? 0, seq ?? 0);
    sessionStorage.setItem(seenKey, String(seen));
  }

  function pin(seq) {
    pinned = seq;
    if (seq) sessionStorage.setItem(pinnedKey, String(seq));
    else sessionStorage.removeItem(pinnedKey);
  }

  function show(notice) {
    box.querySelector(".chair-notice-text").textContent = notice.text;
    box.querySelector(".chair-notice-from").textContent = `${notice.sender} · ${clockTime(notice.sent_at, config)}`;
    box.hidden = false;
    remember(notice.seq);
    pin(notice.seq);
  }

  function unpin() {
    box.hidden = true;
    pin(null);
  }

  box.querySelector("button").addEventListener("click", unpin);
  const ended = () => HELD_STATES.includes(store.state.meeting.state);

  return {
    /** After a snapshot. */
    catchUp() {
      const latest = store.state.notices.at(-1);
      const unread = latest && (latest.seq > (seen ?? Infinity) || latest.seq === pinned);
      if (unread && latest.sender_id !== store.state.me.user_id && !ended()) show(latest);
      else if (ended()) unpin();
      remember(latest?.seq);
    },
    onMeetingState() {
      if (ended()) unpin();
    },
    onNotice(notice) {
      // Whoever sent it knows what it says: pinned on their own screen it would only cover their controls.
      if (notice.sender_id === store.state.me.user_id) { remember(notice.seq); toast(t.notice_sent); }
      else show(notice);
    },
  };
}
