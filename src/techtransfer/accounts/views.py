from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions, signals, tokens
from techtransfer.accounts.forms import SignUpForm
from techtransfer.accounts.models import ApiToken


def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        signals.signed_up.send(sender=type(user), user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! You can now register your organization."))
        return redirect("accounts:profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    p = permissions.principal(request.user)
    assignments = request.user.role_assignments.select_related("region", "organization")
    return render(
        request,
        "accounts/profile.html",
        {
            "principal": p,
            "assignments": assignments,
            "tokens": request.user.api_tokens.order_by("-created_at"),
            "new_key": request.session.pop("new_token_key", None),
        },
    )


@login_required
@require_POST
def create_token(request):
    name = request.POST.get("name", "").strip()
    if not name or len(name) > 64:
        messages.error(request, _("Give the token a name of 1 to 64 characters."))
        return redirect("accounts:profile")
    _token, key = tokens.issue(request.user, name)
    request.session["new_token_key"] = key
    messages.success(request, _("Token created. Copy the key now: it will not be shown again."))
    return redirect("accounts:profile")


@login_required
@require_POST
def revoke_token(request, token_id: int):
    tokens.revoke(get_object_or_404(ApiToken, pk=token_id, user=request.user))
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
