// The agenda's clock: time used on an item, which items were taken up, and when the agenda ends at
// its planned pace (for those who run the meeting: the chair sees in time that the afternoon's
// items will not fit, not at the end of the morning).

import { clockTime, interpolate } from "./store.js";
import { onRecess } from "./recess.js";

/** The items the current one is part of (2. while 2.1 is under way): being dealt with, not done. */
export function itemsAround(agenda, currentId) {
  const around = new Set();
  const at = agenda.findIndex((item) => item.id === currentId);
  for (let index = at - 1, depth = agenda[at]?.depth ?? 0; index >= 0 && depth > 0; index -= 1) {
    if (agenda[index].depth < depth) { around.add(agenda[index].id); depth = agenda[index].depth; }
  }
  return around;
}

/** Seconds spent on the item so far, counting on while it is current (its clock stands still in a break). */
export function itemSeconds(item, now) {
  let used = item.used_seconds;
  if (item.current_since) used += (now - Date.parse(item.current_since)) / 1000;
  return used;
}

/** The ids of the items taken up: discussed, or a heading whose sub-items were. */
export function takenUp(agenda, currentId) {
  const touched = (item) => item.done || item.id === currentId || item.used_seconds > 0 || Boolean(item.current_since);
  const ids = new Set();
  agenda.forEach((item, index) => {
    const following = agenda.slice(index + 1);
    const end = following.findIndex((next) => next.depth <= item.depth);
    const subItems = end < 0 ? following : following.slice(0, end);
    if (touched(item) || subItems.some(touched)) ids.add(item.id);
  });
  return ids;
}

/** Seconds of the agenda still to go at the planned pace: what is left of the current item's time
 * (nothing once it runs over: the forecast then moves with the clock), and every item not taken up. */
export function secondsToGo(agenda, meeting, now) {
  const taken = takenUp(agenda, meeting.current_item_id);
  let seconds = 0;
  for (const item of agenda) {
    if (item.id === meeting.current_item_id) seconds += Math.max(0, item.minutes * 60 - itemSeconds(item, now));
    else if (!taken.has(item.id)) seconds += item.minutes * 60;
  }
  return seconds;
}

/** "45 phút", "2 giờ 05 phút": a length of time as people say it. */
function duration(minutes, t) {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return interpolate(t.forecast.minutes, { minutes });
  return rest ? interpolate(t.forecast.hours_minutes, { hours, minutes: String(rest).padStart(2, "0") }) : interpolate(t.forecast.hours, { hours });
}

/** "At the planned pace: about 45 min to go, ending at 11:40 (called to end at 11:30)", and by how much that is late. */
export function showForecast(node, { agenda, meeting }, now, t, config) {
  node.hidden = meeting.state !== "in_progress";
  if (node.hidden) return;
  // During a break the agenda goes on when the break ends (or now, if it runs over).
  const from = onRecess(meeting) ? Math.max(now, Date.parse(meeting.recess_until)) : now;
  const ends = from + secondsToGo(agenda, meeting, now) * 1000;
  const late = Math.round((ends - Date.parse(meeting.ends_at)) / 60000);
  const left = duration(Math.ceil((ends - now) / 60000), t);
  let text = interpolate(t.forecast.pace, { left, time: clockTime(ends, config), called: clockTime(meeting.ends_at, config) });
  if (late > 0) text += ` · ${interpolate(t.forecast.late, { late: duration(late, t) })}`;
  node.textContent = text;
  node.classList.toggle("late", late > 0);
}
