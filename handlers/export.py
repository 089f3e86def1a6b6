"""`/pmo export [programs|status|risks|intake] [since:<date>]`: a CSV file in the caller's DM."""

from __future__ import annotations

from bot import export
from bot.blocks.common import message, plural, section
from bot.commands import split_options
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import FileToSend, Result, SendFile
from handlers.request import CommandRequest


def register(on: Listeners) -> None:
    """Route `/pmo export` (admins; answered after the ack, the file arrives by DM)."""
    on.commands.add("export", export_data, mode="deferred")


def export_data(request: CommandRequest) -> Result:
    """Check the caller and the words; the file is written and sent after the commit."""
    words, options = split_options(request.words, ("since",))
    if len(words) > 1:
        raise UserError("Name one kind to export: " + ", ".join(export.KINDS) + ".")
    job = export.prepare(
        request.session,
        person=request.caller,
        kind=words[0].text if words else None,
        since_day=request.date(options["since"]) if "since" in options else None,
        tz=request.timezone,
        today=request.today,
    )
    return SendFile(
        kind=job.spec.kind, write=lambda sessions, path: _sent(job.write(sessions, path))
    )


def _sent(written: export.Written) -> FileToSend:
    rows = plural(written.rows, "row")
    text = f":white_check_mark: Your export of {rows} is in your DM."
    return FileToSend(
        filename=written.filename,
        title=written.title,
        comment=written.comment,
        done=message(text, [section(text)]),
    )
