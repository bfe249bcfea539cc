"""`manage.py sync`: the periodic full resync. `--plan` prints what would change and changes nothing."""

import sys

from django.core.management.base import BaseCommand, CommandError

from tenants.infra.jobs import run_due_jobs
from tenants.infra.locks import SyncBusy
from tenants.models import HeldPlan
from tenants.tenancy.events import process_due_events
from tenants.tenancy.held import decide_held_plan
from tenants.tenancy.hooks import handle_event
from tenants.tenancy.reconcile import full_sync
from tenants.tenancy.usage import collect_usage


class Command(BaseCommand):
    help = "Reconcile Kubernetes with GitLab and campus's records (a full resync)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", action="store_true", help="print the plan and change nothing")
        parser.add_argument("--approve-held", type=int, metavar="ID", help="apply a plan held by the deletion guard")
        parser.add_argument("--discard-held", type=int, metavar="ID", help="discard a held plan")

    def handle(self, *args, plan=False, approve_held=None, discard_held=None, **options):
        if approve_held or discard_held:
            return self._decide(approve_held or discard_held, approve=bool(approve_held))
        progress = self._progress if sys.stdout.isatty() and not plan else None
        try:
            result = full_sync(trigger="resync" if not plan else "plan", dry_run=plan, progress=progress)
        except SyncBusy as error:
            raise CommandError(f"{error}; try again when it has finished") from None
        if progress:
            self.stdout.write("")
        for line in result.plan.lines():
            self.stdout.write(line)
        if plan:
            self.stdout.write("(plan only: nothing was changed)")
            return
        retried = process_due_events(handle_event) + run_due_jobs()
        measured = collect_usage()
        self.stdout.write(f"applied {result.applied}, failed {len(result.failures)}, events and jobs retried "
                          f"{retried}, usage of {measured} namespace(s) recorded")
        for failure in result.failures:
            self.stderr.write(f"failed: {failure}")
        for held in (result.held_plan, result.held_access):
            if held:
                self.stdout.write(f"held plan #{held.pk}: approve with `manage.py sync --approve-held {held.pk}`")
        for missing in result.incomplete:
            self.stderr.write(f"not read from GitLab: {missing}")
        problems = [f"{len(result.failures)} change(s) failed"] if result.failures else []
        if result.incomplete:
            problems.append(f"the GitLab read was incomplete ({len(result.incomplete)} part(s) missing): nothing "
                            "was deleted and nobody lost access on its strength")
        if problems:
            raise CommandError(f"{'; '.join(problems)}; the next sync tries again")

    def _decide(self, held_id: int, approve: bool) -> None:
        held = HeldPlan.objects.filter(pk=held_id).first()
        if held is None:
            raise CommandError(f"no held plan #{held_id}")
        try:
            done = decide_held_plan(held, approve=approve, admin=None)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"held plan #{held_id} {held.status}; {done} change(s) carried out")

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = width * done // max(total, 1)
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
