"""Signals of the accounts app: how it tells the apps above it (audit, …) what happened, without importing them."""

from django.dispatch import Signal

# Sent after a visitor created an account on the sign-up page, in the request's flow (before the response),
# with ``user``: the new account. The audit trail records it as ``accounts.signup``.
signed_up = Signal()
