"""Steering meetings: recurring portfolio reviews in a channel, run by a chair, that end in
recorded decisions and tracked actions.

A `Meeting` falls on some days at a time, every N weeks, for a length (`plans`). Each
occurrence (`MeetingOccurrence`) is prepared from the exceptions of the meeting's portfolio
since the last one (`agenda`): the owners of its items are DMed one working day before, and
the agenda is posted an hour before (`prepare`). `start` posts one live message that is edited
in place as the meeting walks the items (`live`); `close`, or the end time + 30 minutes,
freezes and posts the minutes (`minutes`). Decisions (`D-n`) and actions (`A-n`) are kept in a
log (`log`), and actions are followed up until done (`actions`). Decision requests put a
program's question to the next meeting, or to its sponsor (`requests`).
"""
