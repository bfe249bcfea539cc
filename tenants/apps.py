from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "campus tenants"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        import tenants.checks  # noqa: F401 - registers the system checks
        from tenants import signals
        from tenants.engine.config import TENANCY
        from tenants.infra import jobs
        from tenants.infra.kube import register_component, register_kinds
        from tenants.tenancy.kinds import TENANCY_KINDS, WORKLOAD_KINDS

        register_component(TENANCY, *TENANCY_KINDS)
        register_kinds(*WORKLOAD_KINDS)
        jobs.register(signals.JOB_KIND, signals.deliver)

        from tenants.lifecycle.activity import record_sign_in
        from tenants.tenancy.personal import provision_on_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="campus-sign-in-activity")
        user_logged_in.connect(provision_on_sign_in, dispatch_uid="campus-personal-namespace")
