"""All writes to the meeting domain. Keyword-only, typed, atomic, permission-checked."""
