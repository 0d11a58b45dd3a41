"""Catalog pages: browse, detail, publish/edit forms, TRL self-assessment, my submissions, review queue, NDA
requests, packages, import and export. Views parse, call a service and render; errors from the services are shown
beside the field they name or as a message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions
from techtransfer.catalog import browse, dualuse, forms, packages, services, views_classified, workflow
from techtransfer.catalog import io as catalog_io
from techtransfer.catalog.classified import ViewChannel
from techtransfer.catalog.models import (
    PUBLIC_STATUSES,
    Achievement,
    CooperationMode,
    Demand,
    IPItem,
    NdaRequest,
    NdaStatus,
    Status,
    TransferMode,
)
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.orgs.models import OrgKind
from techtransfer.regions.models import Region
from techtransfer.taxonomy.models import TechField

KINDS = {"achievements": Achievement, "demands": Demand}


def _querystring(request) -> str:
    params = request.GET.copy()
    for name in ("page", "after", "before"):
        params.pop(name, None)
    return params.urlencode() + "&" if params else ""


PAGE_SIZE = 20


class _CountedPaginator(Paginator):
    """A paginator whose count is known already (from the search engine or the cached counts): it never counts
    the queryset, and with a text query it reaches only as far as the engine's window."""

    def __init__(self, object_list, per_page, count: int, max_pages: int | None = None):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count
        pages = max(1, -(-count // per_page))
        self.__dict__["num_pages"] = min(pages, max_pages) if max_pages else pages


@dataclass
class _KeysetPage:
    """A page read by keyset (``browse.keyset_page``) in the shape the templates read: ``paginator.count`` is
    the cached total; ``next_after`` / ``previous_before`` make the links."""

    object_list: list
    paginator: object
    next_after: int | None
    previous_before: int | None
    keyset: bool = True

    def has_next(self) -> bool:
        return self.next_after is not None

    def has_previous(self) -> bool:
        return self.previous_before is not None


def _id_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _list_page(request, model, f: browse.Filters):
    """The page of records, its paginator-like object and the facet counts for the list's filters ``f``."""
    user = request.user
    if f.q:  # by the search engine (page numbers, as deep as the engine's window)
        try:
            number = max(1, int(request.GET.get("page") or 1))
        except ValueError:
            number = 1
        number = min(number, -(-browse.TEXT_WINDOW // PAGE_SIZE))
        found = browse.find(user, model, f, window=number * PAGE_SIZE, facets=True)
        if found.engine:
            paginator = _CountedPaginator(found.qs, PAGE_SIZE, found.total, -(-browse.TEXT_WINDOW // PAGE_SIZE))
            facets = found.facets
        else:
            paginator = Paginator(found.qs, PAGE_SIZE)
            facets = browse.facet_counts(found.qs)
        page = paginator.get_page(number)
        return page, facets
    found = browse.find(user, model, f)
    count, facets = browse.cached_counts(user, model, f, found.qs)
    after, before = _id_param(request, "after"), _id_param(request, "before")
    if not (after or before) and request.GET.get("page"):  # an old page-number link: offset, counted from the cache
        return _CountedPaginator(found.qs, PAGE_SIZE, count).get_page(request.GET.get("page")), facets
    sorts = browse.SORTS if model is Achievement else browse.DEMAND_SORTS
    kp = browse.keyset_page(found.qs, sorts[f.effective_sort][1], PAGE_SIZE, after=after, before=before)
    return _KeysetPage(kp.items, _CountedPaginator([], PAGE_SIZE, count), kp.next_after, kp.previous_before), facets


def _regions():
    """Cities and counties of the home province, for the region facet (tiered)."""
    province = settings.PROVINCE_CODE
    cities = list(Region.objects.filter(parent_id=province).order_by("code"))
    counties = {}
    for county in Region.objects.filter(parent_id__in=[c.code for c in cities]).order_by("code"):
        counties.setdefault(county.parent_id, []).append(county)
    return [(c, counties.get(c.code, [])) for c in cities]


def home(request):
    return redirect("catalog:achievements")


def _browse(request, kind: str):
    model = KINDS[kind]
    f = browse.Filters.from_params(request.GET)
    error = None
    try:
        page, facets = _list_page(request, model, f)
    except DomainError as exc:
        error = exc.message
        f = browse.Filters()
        page, facets = _list_page(request, model, f)
    fields = [(tf, facets["tech_field"].get(tf.code, 0)) for tf in TechField.objects.filter(active=True)]
    org_kinds = [(v, label, facets["org_kind"].get(v, 0)) for v, label in OrgKind.choices
                 if v in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.NEW_RD)
                 or facets["org_kind"].get(v)]
    return render(request, f"catalog/{kind}_list.html", {
        "page_obj": page,
        "records": page.object_list,
        "filters": f,
        "error": error,
        "fields": fields,
        "org_kinds": org_kinds,
        "regions": _regions(),
        "modes": TransferMode.choices if model is Achievement else CooperationMode.choices,
        "price_bands": [(k, v[0]) for k, v in browse.PRICE_BANDS.items()],
        "sorts": [(k, v[0]) for k, v in (browse.SORTS if model is Achievement else browse.DEMAND_SORTS).items()],
        "statuses": Status.choices,
        "trl_levels": range(1, 10),
        "querystring": _querystring(request),
        "kind": kind,
        "can_draft": forms.owner_choices(request.user).exists() if request.user.is_authenticated else False,
    })


def achievement_list(request):
    return _browse(request, "achievements")


def demand_list(request):
    return _browse(request, "demands")


def _get(request, model, pk):
    try:
        return (services.get_achievement if model is Achievement else services.get_demand)(request.user, pk)
    except NotFound:
        raise Http404


def _is_editable(user, record) -> bool:
    """Only drafts, only by members of the owner organization or platform administrators (rule
    ``catalog.edit_record``, as ``services`` enforces it)."""
    return record.status == Status.DRAFT and permissions.allowed("catalog.edit_record", user, record)


def _transitions(user, record) -> list[dict]:
    return [
        {"name": n, "label": workflow.TRANSITION_LABELS[n], "needs_reason": n in workflow.NEEDS_REASON}
        for n in workflow.allowed_transitions(user, record)
    ]


def achievement_detail(request, pk: int):
    ach = _get(request, Achievement, pk)
    user = request.user
    dualuse.log_view(user, ach, ViewChannel.PAGE, dualuse.client_ip(request))
    view = services.achievement_view(user, ach)
    restricted_ok = permissions.can_see_restricted(user, ach)
    my_request = None
    if user.is_authenticated and not restricted_ok:
        my_request = NdaRequest.objects.filter(achievement=ach, requester=user).order_by("-created_at").first()
    editable = _is_editable(user, ach)
    return render(request, "catalog/achievement_detail.html", {
        "a": ach,
        "view": view,
        "transitions": _transitions(user, ach),
        "editable": editable,
        "ip_items": ach.ip_items.all(),
        "ip_form": forms.IPItemForm() if editable else None,
        "nda_requests": services.nda_requests(user, ach) if restricted_ok else [],
        "my_request": my_request,
        "may_request": user.is_authenticated and ach.status in PUBLIC_STATUSES and view["protected"]
        and (my_request is None or my_request.status in (NdaStatus.REJECTED, NdaStatus.REVOKED)),
        "nda_form": forms.NdaRequestForm(),
        "versions": services.versions(user, ach) if restricted_ok else [],
        "assessment": ach.trl_assessments.first() if not view["protected"] else None,
        "team": ach.team.all(),
        "in_packages": ach.packages.filter(status="published"),
        "modes": dict(TransferMode.choices),
        **views_classified.marking_context(user, ach),
    })


def demand_detail(request, pk: int):
    demand = _get(request, Demand, pk)
    user = request.user
    dualuse.log_view(user, demand, ViewChannel.PAGE, dualuse.client_ip(request))
    view = services.demand_view(user, demand)
    may_refine = user.is_authenticated and permissions.allowed("catalog.refine_demand", user, demand)
    editable = _is_editable(user, demand)
    return render(request, "catalog/demand_detail.html", {
        "d": demand,
        "view": view,
        "transitions": _transitions(user, demand),
        "editable": editable,
        "refinements": services.refinements(user, demand),
        "may_refine": may_refine,
        "refine_form": forms.RefinementForm() if may_refine else None,
        "versions": services.versions(user, demand) if not view["restricted"] else [],
        "modes": dict(CooperationMode.choices),
        **views_classified.marking_context(user, demand),
    })


# --- create and edit ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _RecordForms:
    """How the pages create and edit one kind of record (achievement or demand)."""

    model: type
    new_form: type
    edit_form: type
    create: Callable
    update: Callable
    list_name: str
    detail_name: str
    refusal: str  # shown to a user who belongs to no organization that may publish
    new_title: str
    edit_title: str

    @property
    def names(self) -> tuple[str, ...]:
        return self.edit_form.Meta.fields


ACHIEVEMENT_FORMS = _RecordForms(
    Achievement, forms.NewAchievementForm, forms.AchievementForm, services.create_achievement,
    services.update_achievement, "catalog:achievements", "catalog:achievement",
    gettext_lazy("Only members of an organization may publish achievements."), gettext_lazy("New achievement"),
    gettext_lazy("Edit achievement"),
)
DEMAND_FORMS = _RecordForms(
    Demand, forms.NewDemandForm, forms.DemandForm, services.create_demand, services.update_demand,
    "catalog:demands", "catalog:demand", gettext_lazy("Only members of an organization may publish demands."),
    gettext_lazy("New technology demand"), gettext_lazy("Edit technology demand"),
)


def _save_form(request, form, kind: _RecordForms, instance, title: str):
    if request.method == "POST" and form.is_valid():
        data = forms.model_data(form, kind.names)
        try:
            if instance is None:
                record = kind.create(request.user, form.cleaned_data["owner"], data)
                messages.success(request, _("Draft saved. Submit it for review when it is complete."))
            else:
                record = kind.update(request.user, instance, data)
                messages.success(request, _("Changes saved."))
            return redirect(kind.detail_name, record.pk)
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
    return render(request, "catalog/record_form.html", {"form": form, "title": title, "record": instance})


def _create(request, kind: _RecordForms):
    form = kind.new_form(request.POST or None, user=request.user)
    if not form.fields["owner"].queryset.exists():
        messages.error(request, str(kind.refusal))
        return redirect(kind.list_name)
    return _save_form(request, form, kind, None, str(kind.new_title))


def _edit(request, kind: _RecordForms, pk: int):
    record = _get(request, kind.model, pk)
    if not _is_editable(request.user, record):
        messages.error(request, _("Only drafts can be edited; a rejected record returns to draft."))
        return redirect(kind.detail_name, record.pk)
    form = kind.edit_form(request.POST or None, instance=kind.model.objects.get(pk=record.pk))
    return _save_form(request, form, kind, record, str(kind.edit_title))


@login_required
def achievement_create(request):
    return _create(request, ACHIEVEMENT_FORMS)


@login_required
def achievement_edit(request, pk: int):
    return _edit(request, ACHIEVEMENT_FORMS, pk)


@login_required
def demand_create(request):
    return _create(request, DEMAND_FORMS)


@login_required
def demand_edit(request, pk: int):
    return _edit(request, DEMAND_FORMS, pk)


@login_required
def achievement_trl(request, pk: int):
    ach = _get(request, Achievement, pk)
    latest = ach.trl_assessments.first() if services.can_read_protected(request.user, ach) else None
    form = forms.TrlForm(request.POST or None, initial_answers=latest.answers if latest else {})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assess_trl(request.user, ach, form.answers())
            messages.success(request, _("Self-assessment saved: TRL %(level)s.") % {"level": assessment.proposed_level})
            return redirect("catalog:achievement", ach.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "catalog/trl_form.html", {"a": ach, "form": form, "latest": latest})


@login_required
@require_POST
def ip_item_add(request, pk: int):
    ach = _get(request, Achievement, pk)
    form = forms.IPItemForm(request.POST, instance=IPItem(achievement=ach))
    if form.is_valid():
        try:
            services.add_ip_item(request.user, ach, {k: form.cleaned_data[k] for k in form.Meta.fields})
            messages.success(request, _("IP item added."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("catalog:achievement", ach.pk)


@login_required
@require_POST
def ip_item_delete(request, pk: int, item_id: int):
    ach = _get(request, Achievement, pk)
    item = IPItem.objects.filter(pk=item_id, achievement=ach).first()
    if item is None:
        raise Http404
    try:
        services.remove_ip_item(request.user, item)
        messages.success(request, _("IP item removed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:achievement", ach.pk)


def _transition(request, model, pk, detail):
    record = _get(request, model, pk)
    fn = workflow.TRANSITIONS.get(request.POST.get("action", ""))
    if fn is None:
        messages.error(request, _("Unknown action."))
    else:
        try:
            fn(request.user, record, request.POST.get("reason", ""))
            messages.success(request, _("Status is now: %(status)s") % {"status": record.get_status_display()})
        except DomainError as exc:
            messages.error(request, exc.message)
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(detail, pk)


@login_required
@require_POST
def achievement_transition(request, pk: int):
    return _transition(request, Achievement, pk, "catalog:achievement")


@login_required
@require_POST
def demand_transition(request, pk: int):
    return _transition(request, Demand, pk, "catalog:demand")


@login_required
@require_POST
def demand_refine(request, pk: int):
    demand = _get(request, Demand, pk)
    form = forms.RefinementForm(request.POST)
    if form.is_valid():
        try:
            services.refine_demand(request.user, demand,
                                   forms.model_data(form, forms.RefinementForm.Meta.fields))
            messages.success(request, _("Refined description saved as a new version."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("catalog:demand", demand.pk)


# --- my submissions, review queue, NDA ---------------------------------------------------------------------------


@login_required
def mine(request):
    return render(request, "catalog/mine.html", {
        "achievements": services.mine(request.user, Achievement).order_by("-updated_at")[:200],
        "demands": services.mine(request.user, Demand).order_by("-updated_at")[:200],
        "can_draft": forms.owner_choices(request.user).exists(),
    })


@login_required
def review_queue(request):
    if not permissions.allowed("catalog.reviewer", request.user):
        messages.error(request, _("Only organization administrators and platform reviewers review records."))
        return redirect("catalog:achievements")
    return render(request, "catalog/review.html", {
        "achievements": browse.review_queue(request.user, Achievement)[:200],
        "demands": browse.review_queue(request.user, Demand)[:200],
        "reject_form": forms.ReasonForm(),
    })


@login_required
@require_POST
def nda_request(request, pk: int):
    ach = _get(request, Achievement, pk)
    form = forms.NdaRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_nda(request.user, ach, form.cleaned_data["purpose"])
            messages.success(request, _("Request sent. The owner organization will decide."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Describe the purpose of your request."))
    return redirect("catalog:achievement", ach.pk)


@login_required
def nda_inbox(request):
    user = request.user
    qs = services.nda_inbox(user)
    return render(request, "catalog/nda_inbox.html", {
        "to_decide": [r for r in qs if r.requester_id != user.pk and workflow.is_owner_admin(user, r.achievement)],
        "mine": [r for r in qs if r.requester_id == user.pk],
    })


@login_required
@require_POST
def nda_decide(request, pk: int, decision: str):
    req = NdaRequest.objects.select_related("achievement").filter(pk=pk).first()
    actions = {"approve": services.approve_nda, "reject": services.reject_nda, "revoke": services.revoke_nda}
    if req is None or decision not in actions or not permissions.can_see_restricted(request.user, req.achievement):
        raise Http404
    try:
        if decision == "approve":
            services.approve_nda(request.user, req)
        else:
            actions[decision](request.user, req, request.POST.get("reason", ""))
        messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:nda_inbox")


# --- packages ----------------------------------------------------------------------------------------------------


def package_list(request):
    page = Paginator(packages.packages_visible(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "catalog/package_list.html", {
        "page_obj": page, "packages": page.object_list, "querystring": _querystring(request),
        "may_curate": permissions.principal(request.user).is_region_admin,
    })


@login_required
def package_create(request):
    form = forms.PackageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pkg = packages.create_package(request.user, d["region"], d["tech_field"].pk, d["name"], d["description"])
            return redirect("catalog:package", pkg.pk)
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
    return render(request, "catalog/record_form.html", {"form": form, "title": _("New achievement package")})


def package_detail(request, pk: int):
    try:
        pkg = packages.get_package(request.user, pk)
    except NotFound:
        raise Http404
    may_curate = permissions.allowed("catalog.curate_package", request.user, pkg.region_id)
    return render(request, "catalog/package_detail.html", {
        "pkg": pkg, "items": packages.package_contents(pkg), "may_curate": may_curate,
    })


@login_required
@require_POST
def package_action(request, pk: int):
    try:
        pkg = packages.get_package(request.user, pk)
    except NotFound:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "add":
            ach = services.get_achievement(request.user, int(request.POST.get("achievement") or 0))
            packages.add_to_package(request.user, pkg, ach, request.POST.get("note", ""))
        elif action == "remove":
            ach = Achievement.objects.get(pk=int(request.POST.get("achievement") or 0))
            packages.remove_from_package(request.user, pkg, ach)
        elif action == "publish":
            packages.publish_package(request.user, pkg)
        elif action == "unpublish":
            packages.unpublish_package(request.user, pkg, request.POST.get("reason", ""))
        else:
            raise DomainError(_("Unknown action."))
        messages.success(request, _("Package updated."))
    except (DomainError, ValueError, Achievement.DoesNotExist) as exc:
        messages.error(request, getattr(exc, "message", _("No such achievement.")))
    return redirect("catalog:package", pkg.pk)


# --- import and export -------------------------------------------------------------------------------------------


def _kind(kind: str):
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


@login_required
def import_page(request, kind: str):
    model = _kind(kind)
    form = forms.ImportForm(request.POST or None, request.FILES or None, user=request.user)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            fmt = form.cleaned_data["format"] or catalog_io.guess_format(upload.name)
            report = catalog_io.import_file(request.user, model, upload, fmt, default_owner=form.cleaned_data["owner"],
                                            filename=upload.name)
            if report.ok:
                messages.success(request, _("%(n)s records imported as one batch.") % {"n": report.created})
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
    return render(request, "catalog/import.html", {
        "form": form, "report": report, "kind": kind, "columns": catalog_io.COLUMNS[model],
        "formats": catalog_io.FORMATS,
    })


def template_download(request, kind: str, fmt: str):
    try:
        return catalog_io.template_response(_kind(kind), fmt)
    except DomainError:
        raise Http404


def export_download(request, kind: str):
    model = _kind(kind)
    f = browse.Filters.from_params(request.GET)
    try:
        qs = browse.filter_achievements(request.user, f) if model is Achievement else browse.filter_demands(
            request.user, f
        )
        return catalog_io.export_response(request.user, model, qs, request.GET.get("format", "csv"),
                                          dualuse.client_ip(request))
    except DomainError as exc:
        return render(request, "core/error.html", {"status": 400, "message": exc.message}, status=400)
