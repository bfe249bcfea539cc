"""`manage.py collect_usage`: refresh every namespace's quota usage, running pods and images."""

from django.core.management.base import BaseCommand

from tenants.tenancy.usage import collect_usage


class Command(BaseCommand):
    help = "Record each managed namespace's quota usage, running pods and container images."

    def handle(self, *args, **options):
        self.stdout.write(f"usage recorded for {collect_usage()} namespace(s)")
