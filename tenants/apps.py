from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "campus tenants"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from tenants.lifecycle.activity import record_sign_in
        from tenants.tenancy.personal import provision_on_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="campus-sign-in-activity")
        user_logged_in.connect(provision_on_sign_in, dispatch_uid="campus-personal-namespace")
