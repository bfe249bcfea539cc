"""`manage.py reclaim`: the daily expiry pass. `--plan` prints what would happen and changes nothing."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tenants.infra.locks import SyncBusy
from tenants.lifecycle.reclaim import plan as reclaim_plan
from tenants.lifecycle.reclaim import reclaim
from tenants.models import HeldPlan
from tenants.tenancy.held import decide_held_plan


class Command(BaseCommand):
    help = "Refresh expiry dates, warn owners, suspend, archive and delete expired namespaces."

    def add_arguments(self, parser):
        parser.add_argument("--plan", action="store_true", help="print the plan and change nothing")
        parser.add_argument("--now", type=datetime.fromisoformat, help="pretend it is this time (ISO 8601)")
        parser.add_argument("--approve-held", type=int, metavar="ID",
                            help="let a held reclaim plan through, then run")

    def handle(self, *args, plan=False, now=None, approve_held=None, **options):
        if now is not None and timezone.is_naive(now):
            now = timezone.make_aware(now)
        if approve_held:
            held = HeldPlan.objects.filter(pk=approve_held).exclude(step=HeldPlan.Step.DELETE).first()
            if held is None:
                raise CommandError(f"no held reclaim plan #{approve_held}")
            try:
                decide_held_plan(held, approve=True, admin=None)
            except ValueError as error:
                raise CommandError(str(error)) from None
        if plan:
            for line in reclaim_plan(now).lines():
                self.stdout.write(line)
            self.stdout.write("(plan only: nothing was changed)")
            return
        try:
            result = reclaim(now)
        except SyncBusy as error:
            raise CommandError(f"{error}; try again when it has finished") from None
        for line in result.lines():
            self.stdout.write(line)
