"""`runserver` that prints the demo logins last, below the server's own start-up lines (`make run`).

Printed by `seed_demo` before the server starts, the logins scrolled away under the system-check,
"Starting development server" and warning lines, where nobody looks. This command is the
project's `runserver` (whichever app provides it: WhiteNoise's, which leaves static files to
WhiteNoise), with the box printed once the server listens, again after each autoreload.
"""

from django.core.management import get_commands, load_command_class

from expo.management.commands.seed_demo import logins_box
from expo.services.demo import demo_logins

RunserverCommand = type(load_command_class(get_commands()["runserver"], "runserver"))


class Command(RunserverCommand):
    help = "Serve the site with runserver, then print the demo logins below its start-up lines."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--expo", default="demo", help="Slug of the demo expo (default: demo)")

    def handle(self, *args, **options):
        self.demo_expo = options["expo"]
        super().handle(*args, **options)

    def on_bind(self, server_port):
        super().on_bind(server_port)
        self.stdout.write("\n" + logins_box(demo_logins(expo_slug=self.demo_expo), server_port))
