"""Every write to polls, ballots and proxies; each emits the live event that carries what changed.
`polls`: preparing a poll; `ballots`: a vote from its opening to its result; `proxies`.

Lock order, to stay free of deadlocks: the meeting row, then the poll row. Casting a ballot
locks only the poll row (ballots of a poll queue behind each other, and behind its closing,
but not behind page turns); the progress it causes is announced in bursts by
`poll_progress_announce`, which the hub calls shortly after.
"""
