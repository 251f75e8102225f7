// When the meeting will end at the agenda's planned pace, for those who run it: the chair sees
// in time that the afternoon's items will not fit, not at the end of the morning.

import { clockTime, interpolate } from "./store.js";
import { onRecess } from "./recess.js";

/** Seconds of the agenda still to go: what is left of the current item (none once over), and every item not yet done. */
export function secondsToGo(agenda, meeting, now) {
  let seconds = 0;
  for (const item of agenda) {
    if (item.done && item.id !== meeting.current_item_id) continue;
    let used = item.id === meeting.current_item_id ? item.used_seconds : 0;
    if (item.id === meeting.current_item_id && item.current_since) used += (now - Date.parse(item.current_since)) / 1000;
    seconds += Math.max(0, item.minutes * 60 - used);
  }
  return seconds;
}

/** "At the planned pace: about 45 min to go, ending at 11:40", and by how much that is later than called. */
export function showForecast(node, { agenda, meeting }, now, t, config) {
  node.hidden = meeting.state !== "in_progress";
  if (node.hidden) return;
  // During a break the agenda goes on when the break ends (or now, if it runs over).
  const from = onRecess(meeting) ? Math.max(now, Date.parse(meeting.recess_until)) : now;
  const ends = from + secondsToGo(agenda, meeting, now) * 1000;
  const late = Math.round((ends - Date.parse(meeting.ends_at)) / 60000);
  const minutes = Math.ceil((ends - now) / 60000);
  let text = interpolate(t.forecast.pace, { minutes, time: clockTime(ends, config) });
  if (late > 0) text += ` · ${interpolate(t.forecast.late, { minutes: late, called: clockTime(meeting.ends_at, config) })}`;
  node.textContent = text;
  node.classList.toggle("late", late > 0);
}
