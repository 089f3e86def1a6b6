"""`/pmo export [programs|status|risks|intake] [since:<date>]`: a CSV file in the caller's DM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import export
from bot.blocks.common import message, section
from bot.commands import split_options
from bot.dates import format_date
from bot.deps import Deps
from bot.errors import UserError
from handlers.request import CommandRequest
from handlers.router import AfterCommit, Reply, Router


@dataclass(frozen=True)
class ExportJob:
    """An export to write and send once the command's transaction is over (no ORM objects)."""

    deps: Deps
    user_id: str
    spec: export.ExportSpec
    today: date
    since_day: date | None


def register(app: App, router: Router) -> None:
    """Route `/pmo export` (admins; answered after the ack, the file arrives by DM)."""
    router.add("export", export_data, mode="deferred")


def export_data(request: CommandRequest) -> AfterCommit:
    """Check the caller and the words; the file is written and sent after the commit."""
    request.require_admin("export PMO data")
    words, options = split_options(request.words, ("since",))
    if len(words) > 1:
        raise UserError("Name one kind to export: " + ", ".join(export.KINDS) + ".")
    kind = export.parse_kind(words[0].text if words else None)
    since_day = request.date(options["since"]) if "since" in options else None
    since = None
    if since_day is not None:
        since = export.since_instant(since_day, tz=request.timezone, today=request.today)
    job = ExportJob(
        deps=request.deps,
        user_id=request.user_id,
        spec=export.ExportSpec(team_id=request.team_id, kind=kind, since=since),
        today=request.today,
        since_day=since_day,
    )
    return AfterCommit(lambda: send(job))


def send(job: ExportJob) -> Reply:
    """Write the CSV to a temporary file, upload it to the caller's DM, delete the file."""
    with export.temporary_file(job.spec.kind) as path:
        with job.deps.sessions.begin() as session:
            rows = export.write_file(session, spec=job.spec, path=path)
        try:
            _upload(job, path=str(path), rows=rows)
        except SlackApiError as exc:
            error = exc.response.get("error") or "error"
            raise UserError(f"Slack refused the file (`{error}`); please try again.") from exc
    text = f":white_check_mark: Your export of {rows} row{'s' if rows != 1 else ''} is in your DM."
    return message(text, [section(text)])


def _upload(job: ExportJob, *, path: str, rows: int) -> None:
    client = job.deps.client
    channel = client.conversations_open(users=[job.user_id])["channel"]["id"]
    kind = job.spec.kind
    since = f" {export.SINCE_MEANS[kind]} {format_date(job.since_day)}" if job.since_day else ""
    client.files_upload_v2(
        channel=channel,
        file=path,
        filename=f"pmo-{kind}-{job.today.isoformat()}.csv",
        title=f"PMO export: {kind}{since}",
        initial_comment=f"Your export of {kind}{since}: {rows} row{'s' if rows != 1 else ''}.",
    )
