"""The audit trail listens to the kernels below it, which cannot import it (docs/architecture.md, Layers)."""

from django.dispatch import receiver

from techtransfer.accounts.signals import signed_up
from techtransfer.audit import services


@receiver(signed_up, dispatch_uid="audit.accounts_signup")
def record_signup(sender, user, **kwargs):
    services.created(user, user, "accounts.signup")
