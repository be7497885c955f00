import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from expo.services.floor import expo_create


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--start: expected YYYY-MM-DD, got {value!r}") from exc


def _time(flag: str, value: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{flag}: expected HH:MM, got {value!r}") from exc


class Command(BaseCommand):
    help = "Create an expo edition and its meeting slot grid."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--name-zh", default="")
        parser.add_argument("--venue", default="")
        parser.add_argument("--edition", default="")
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD")
        parser.add_argument("--days", type=int, required=True)
        parser.add_argument("--open", required=True, help="Opening time, HH:MM (local)")
        parser.add_argument("--close", required=True, help="Closing time, HH:MM (local)")
        parser.add_argument("--slot-minutes", type=int, default=20)
        parser.add_argument("--tz", default="Asia/Shanghai")
        parser.add_argument("--current", action="store_true", help="Make it the current expo")

    def handle(self, *args, **options):
        try:
            expo = expo_create(
                slug=options["slug"],
                name=options["name"],
                name_zh=options["name_zh"],
                venue=options["venue"],
                edition=options["edition"],
                start_date=_date(options["start"]),
                days=options["days"],
                opening_time=_time("--open", options["open"]),
                closing_time=_time("--close", options["close"]),
                slot_minutes=options["slot_minutes"],
                time_zone=options["tz"],
                make_current=options["current"],
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("Expo not created:\n  " + "\n  ".join(lines)) from exc
        slots = expo.slots.count()
        current = " (current)" if expo.is_current else ""
        self.stdout.write(
            self.style.SUCCESS(f"Created expo {expo.slug}{current}: {expo.days} days, {slots} slots.")
        )
