"""REST API of the catalog: achievements, demands, packages, NDA requests, import and export.

Routes only parse input, call ``services`` / ``workflow`` / ``packages`` / ``io`` and shape the answer; the
permission rules live there. Lists and exports never carry protected details; a single achievement carries them
only for callers ``services.can_read_protected`` allows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Reply

from techtransfer.accounts import permissions
from techtransfer.catalog import browse, dualuse, packages, services, workflow
from techtransfer.catalog import io as catalog_io
from techtransfer.catalog.api_classified import router as classified_router
from techtransfer.catalog.classified import ViewChannel
from techtransfer.catalog.models import Achievement, Demand, IPItem, NdaRequest
from techtransfer.catalog.schemas import (
    AchievementIn,
    AchievementOut,
    AchievementPage,
    AchievementPatch,
    DecisionIn,
    DemandIn,
    DemandOut,
    DemandPage,
    DemandPatch,
    ImportRefused,
    ImportReport,
    IPItemCreated,
    IPItemIn,
    NdaIn,
    NdaOut,
    PackageDetail,
    PackageIn,
    PackageItemIn,
    PackageOut,
    PackagePage,
    RecordTransitionIn,
    RefinementIn,
    RefinementOut,
    TrlIn,
    TrlLevelOut,
    TrlOut,
    VersionOut,
)
from techtransfer.catalog.validators import TRL_LEVELS
from techtransfer.core.apidoc import Error, public
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.pagination import MAX_PAGE, paginate, parse_int
from techtransfer.orgs.models import Organization

router = Router(tags=["catalog"])
achievements = Router(tags=["achievements"])
demands = Router(tags=["demands"])
package_router = Router(tags=["achievement packages"])
nda_router = Router(tags=["NDA access requests"])


# --- helpers -----------------------------------------------------------------------------------------------------


def _model_fields(data: dict) -> dict:
    out = dict(data)
    out.pop("owner", None)
    if "tech_field" in out:
        out["tech_field_id"] = out.pop("tech_field") or None
    return out


def _owner(user, pk: int) -> Organization:
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise DomainError(_("Unknown organization: %s") % pk, field="owner")
    return org


def _page(qs, page, page_size, view, with_facets=False) -> dict:
    sl = paginate(qs, page, page_size)
    out = {"items": [view(r) for r in sl.items], "count": sl.count, "page": sl.page, "pages": sl.pages,
           "page_size": sl.page_size}
    if with_facets:
        out["facets"] = browse.facet_counts(qs)
    return out


def _list(user, model, f: browse.Filters, page, page_size, view, with_facets: bool) -> dict:
    """A page of the achievement or demand list: a text query through the search engine (relevance order unless
    ``sort`` says otherwise), counts from the engine, or cached without a query (``browse.list_page``)."""
    size = parse_int(page_size, "page_size", settings.PAGE_SIZE, 1, settings.MAX_PAGE_SIZE)
    number = parse_int(page, "page", 1, 1, MAX_PAGE)
    lp = browse.list_page(user, model, f, number, size, facets=with_facets)
    items = lp.items
    if model is Achievement:
        prefetch_related_objects(items, "ip_items")
    out = {"items": [view(r) for r in items], "count": lp.count, "page": lp.page, "pages": lp.pages,
           "page_size": lp.page_size}
    if with_facets:
        out["facets"] = lp.facets
    return out


def _nda_out(req: NdaRequest) -> dict:
    return {
        "id": req.pk, "achievement": req.achievement_id, "requester": req.requester_id,
        "requester_name": str(req.requester), "purpose": req.purpose, "status": req.status, "reason": req.reason,
        "created_at": req.created_at, "decided_at": req.decided_at,
    }


# --- achievements and demands: the routes they share ------------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    """What the shared record routes need to know about one kind of record (成果 or 需求)."""

    model: type
    noun: str  # "achievement": in operation ids and summaries
    nouns: str
    a_noun: str  # with its article, for summaries
    page_out: type
    record_out: type
    record_in: type
    patch_in: type
    get: Callable  # (user, pk) -> record the user may see, or NotFound
    create: Callable  # (actor, owner, fields) -> record
    update: Callable  # (actor, record, fields) -> record
    view: Callable  # (user, record) -> the detail, protected parts only for those who may read them
    item: Callable  # (record) -> the public list item
    browse: Callable  # (user, Filters) -> queryset


def _detail(kind: RecordKind, user, record) -> dict:
    return {**kind.view(user, record), "transitions": workflow.allowed_transitions(user, record)}


def _record_routes(r: Router, kind: RecordKind) -> None:
    """Register the routes achievements and demands share on ``r``: draft, mine, review queue, export, import
    (template and file), one record, edit, workflow transitions and version history. Operation ids and summaries
    are those the routes had when they were written once per kind."""

    def op(name: str) -> str:
        return f"techtransfer_catalog_api_{name}"

    @r.post("", response={201: kind.record_out}, summary=f"Draft {kind.a_noun}", operation_id=op(f"create_{kind.noun}"))
    def create(request, payload: kind.record_in):
        owner = _owner(request.auth, payload.owner)
        record = kind.create(request.auth, owner, _model_fields(payload.dict()))
        return Reply(201, _detail(kind, request.auth, record))

    @r.get("/mine", response=kind.page_out, summary=f"My organizations' {kind.nouns}, any status",
           operation_id=op(f"my_{kind.nouns}"))
    def mine(request, status: str = "", page: int = 1, page_size: int = 20):
        qs = browse.by_status(services.mine(request.auth, kind.model), status)
        return _page(qs.order_by("-updated_at", "-id"), page, page_size, kind.item)

    @r.get("/review-queue", response=kind.page_out, summary=f"{kind.nouns.capitalize()} waiting for my review",
           operation_id=op(f"{kind.noun}_queue"))
    def queue(request, page: int = 1, page_size: int = 20):
        return _page(browse.review_queue(request.auth, kind.model), page, page_size, kind.item)

    @r.get("/export", summary=f"Export {kind.nouns} you may see (csv, xlsx or jsonl)",
           operation_id=op(f"export_{kind.nouns}"))
    @public
    def export(request, format: str = "csv", q: str = "", tech_field: str = "", region: str = "",
               status: str = "", mode: str = "", org_kind: str = ""):
        f = browse.Filters(q=q, tech_field=tech_field, region=region, status=status, mode=mode, org_kind=org_kind)
        return catalog_io.export_response(request.auth, kind.model, kind.browse(request.auth, f), format,
                                          dualuse.client_ip(request))

    @r.get("/import/template", summary="Import template (csv, xlsx or jsonl)", operation_id=op(f"{kind.noun}_template"))
    @public
    def template(request, format: str = "csv") -> HttpResponse:
        return catalog_io.template_response(kind.model, format)

    @r.post("/import", response={200: ImportReport, 400: ImportRefused | Error},
            summary=f"Import {kind.nouns}: all rows or none, with a row-by-row error report",
            description="400 with the row-by-row report (`ImportRefused`) when rows have problems, or a plain "
                        "`Error` when the request itself is refused (unknown format or owner).",
            operation_id=op(f"import_{kind.nouns}"))
    def import_file(request, file: File[UploadedFile], owner: int | None = None, format: str | None = None):
        default_owner = _owner(request.auth, owner) if owner else None
        report = catalog_io.import_file(request.auth, kind.model, file, default_owner=default_owner,
                                        fmt=format or catalog_io.guess_format(file.name))
        if report.ok:
            return Reply(200, report.as_dict())
        message = ngettext("The file has %(n)d problem; nothing was imported.",
                           "The file has %(n)d problems; nothing was imported.", report.error_count)
        message %= {"n": report.error_count}
        return Reply(400, {"code": "import_refused", "message": message, "field": "file", **report.as_dict()})

    @r.get("/{int:pk}", response=kind.record_out, summary=f"One {kind.noun}", operation_id=op(f"get_{kind.noun}"))
    @public
    def get(request, pk: int):
        record = kind.get(request.auth, pk)
        dualuse.log_view(request.auth, record, ViewChannel.API, dualuse.client_ip(request))
        return _detail(kind, request.auth, record)

    @r.patch("/{int:pk}", response=kind.record_out, summary=f"Edit a draft {kind.noun}",
             operation_id=op(f"update_{kind.noun}"))
    def update(request, pk: int, payload: kind.patch_in):
        kind.update(request.auth, kind.get(request.auth, pk), _model_fields(payload.dict(exclude_unset=True)))
        return _detail(kind, request.auth, kind.get(request.auth, pk))

    @r.post("/{int:pk}/transitions", response=kind.record_out, summary=f"Move the {kind.noun} along the workflow",
            operation_id=op(f"{kind.noun}_transition"))
    def transition(request, pk: int, payload: RecordTransitionIn):
        record = kind.get(request.auth, pk)
        fn = workflow.TRANSITIONS.get(payload.action)
        if fn is None:
            raise DomainError(_("Unknown action."), field="action")
        fn(request.auth, record, payload.reason)
        return _detail(kind, request.auth, kind.get(request.auth, pk))

    @r.get("/{int:pk}/versions", response=list[VersionOut], summary="Version history (owner and admins)",
           operation_id=op(f"{kind.noun}_versions"))
    def versions(request, pk: int):
        return services.versions(request.auth, kind.get(request.auth, pk))


ACHIEVEMENT = RecordKind(
    Achievement, "achievement", "achievements", "an achievement", AchievementPage, AchievementOut, AchievementIn,
    AchievementPatch, services.get_achievement, services.create_achievement, services.update_achievement,
    services.achievement_view, services.public_view, browse.filter_achievements,
)
DEMAND = RecordKind(
    Demand, "demand", "demands", "a demand", DemandPage, DemandOut, DemandIn, DemandPatch, services.get_demand,
    services.create_demand, services.update_demand, services.demand_view,
    lambda d: services.demand_view(None, d, contact_ok=False), browse.filter_demands,
)


# --- achievements ------------------------------------------------------------------------------------------------


@achievements.get("", response=AchievementPage, summary="Browse achievements (public fields; filters and facets)")
@public
def list_achievements(request, q: str = "", tech_field: str = "", region: str = "", trl_min: str = "",
                      trl_max: str = "", mode: str = "", price: str = "", org_kind: str = "", status: str = "",
                      sort: str = "", page: int = 1, page_size: int = 20, facets: bool = False):
    f = browse.Filters(q=q, tech_field=tech_field, region=region, trl_min=trl_min, trl_max=trl_max, mode=mode,
                       price=price, org_kind=org_kind, status=status, sort=sort)
    return _list(request.auth, Achievement, f, page, page_size, services.public_view, facets)


_record_routes(achievements, ACHIEVEMENT)


@achievements.get("/trl-criteria", response=list[TrlLevelOut], summary="The TRL self-assessment questionnaire")
@public
def trl_criteria(request):
    return [
        {"level": n, "title": str(title), "criteria": [{"key": c.key, "text": str(c.text)} for c in crits]}
        for n, (title, crits) in TRL_LEVELS.items()
    ]


@achievements.post("/{int:pk}/ip-items", response={201: IPItemCreated}, summary="Add an IP item")
def add_ip_item(request, pk: int, payload: IPItemIn):
    ach = services.get_achievement(request.auth, pk)
    item = services.add_ip_item(request.auth, ach, payload.dict())
    return Reply(201, {"id": item.pk, "kind": item.kind, "title": item.title, "number": item.number,
                       "granted": item.granted})


@achievements.delete("/{int:pk}/ip-items/{int:item_id}", response={204: None}, summary="Remove an IP item")
def remove_ip_item(request, pk: int, item_id: int):
    ach = services.get_achievement(request.auth, pk)
    item = IPItem.objects.filter(pk=item_id, achievement=ach).first()
    if item is None:
        raise NotFound(_("No such IP item."))
    services.remove_ip_item(request.auth, item)
    return Reply(204, None)


@achievements.get("/{int:pk}/trl-assessments", response=list[TrlOut], summary="TRL self-assessments")
def list_trl(request, pk: int):
    ach = services.get_achievement(request.auth, pk)
    return list(services.trl_assessments(request.auth, ach))


@achievements.post("/{int:pk}/trl-assessments", response={201: TrlOut}, summary="Self-assess the TRL")
def assess_trl(request, pk: int, payload: TrlIn):
    ach = services.get_achievement(request.auth, pk)
    return Reply(201, services.assess_trl(request.auth, ach, payload.answers))


@achievements.get("/{int:pk}/nda-requests", response=list[NdaOut], summary="NDA access requests")
def list_nda(request, pk: int):
    ach = services.get_achievement(request.auth, pk)
    return [_nda_out(r) for r in services.nda_requests(request.auth, ach)]


@achievements.post("/{int:pk}/nda-requests", response={201: NdaOut}, summary="Ask for the protected details")
def request_nda(request, pk: int, payload: NdaIn):
    ach = services.get_achievement(request.auth, pk)
    return Reply(201, _nda_out(services.request_nda(request.auth, ach, payload.purpose)))


# --- NDA decisions -----------------------------------------------------------------------------------------------


def _nda(user, pk: int) -> NdaRequest:
    req = NdaRequest.objects.select_related("achievement", "requester").filter(pk=pk).first()
    if req is None or not (
        permissions.can_see_restricted(user, req.achievement) or req.requester_id == getattr(user, "pk", None)
    ):
        raise NotFound(_("No such request."))
    return req


@nda_router.get("", response=list[NdaOut], summary="NDA requests I made or must decide")
def nda_inbox(request, status: str = ""):
    return [_nda_out(r) for r in services.nda_inbox(request.auth, status)[:500]]


@nda_router.post("/{int:pk}/approve", response=NdaOut, summary="Grant access (owner organization administrator)")
def approve_nda(request, pk: int):
    return _nda_out(services.approve_nda(request.auth, _nda(request.auth, pk)))


@nda_router.post("/{int:pk}/reject", response=NdaOut, summary="Refuse access, with a reason")
def reject_nda(request, pk: int, payload: DecisionIn):
    return _nda_out(services.reject_nda(request.auth, _nda(request.auth, pk), payload.reason))


@nda_router.post("/{int:pk}/revoke", response=NdaOut, summary="Revoke granted access, with a reason")
def revoke_nda(request, pk: int, payload: DecisionIn):
    return _nda_out(services.revoke_nda(request.auth, _nda(request.auth, pk), payload.reason))


# --- demands -----------------------------------------------------------------------------------------------------


@demands.get("", response=DemandPage, summary="Browse demands (public fields; filters and facets)")
@public
def list_demands(request, q: str = "", tech_field: str = "", region: str = "", mode: str = "", price: str = "",
                 org_kind: str = "", status: str = "", sort: str = "", page: int = 1, page_size: int = 20,
                 facets: bool = False):
    f = browse.Filters(q=q, tech_field=tech_field, region=region, mode=mode, price=price, org_kind=org_kind,
                       status=status, sort=sort)
    return _list(request.auth, Demand, f, page, page_size, DEMAND.item, facets)


_record_routes(demands, DEMAND)


def _refinement_out(r) -> dict:
    return {"version": r.version, "author": str(r.author) if r.author else None, "title": r.title,
            "description": r.description, "key_indicators": r.key_indicators, "tech_field": r.tech_field_id,
            "ipc_codes": list(r.ipc_codes or []), "created_at": r.created_at}


@demands.get("/{int:pk}/refinements", response=list[RefinementOut], summary="Expert refinements, newest first")
@public
def list_refinements(request, pk: int):
    demand = services.get_demand(request.auth, pk)
    return [_refinement_out(r) for r in services.refinements(request.auth, demand)]


@demands.post("/{int:pk}/refinements", response={201: RefinementOut}, summary="Write a refined description")
def add_refinement(request, pk: int, payload: RefinementIn):
    demand = services.get_demand(request.auth, pk)
    return Reply(201, _refinement_out(services.refine_demand(request.auth, demand, _model_fields(payload.dict()))))


# --- packages ----------------------------------------------------------------------------------------------------


def _pkg_out(pkg) -> dict:
    return {"id": pkg.pk, "name": pkg.name, "description": pkg.description, "region": pkg.region_id,
            "tech_field": pkg.tech_field_id, "status": pkg.status, "published_at": pkg.published_at}


@package_router.get("", response=PackagePage, summary="Achievement packages (published; drafts for curators)")
@public
def list_packages(request, tech_field: str = "", region: str = "", page: int = 1, page_size: int = 20):
    qs = packages.packages_visible(request.auth)
    if tech_field:
        qs = qs.filter(tech_field_id=tech_field)
    if region:
        qs = qs.filter(region_id=region)
    return _page(qs, page, page_size, _pkg_out)


@package_router.post("", response={201: PackageOut}, summary="Create a package (region administrators)")
def create_package(request, payload: PackageIn):
    pkg = packages.create_package(request.auth, payload.region, payload.tech_field, payload.name, payload.description)
    return Reply(201, _pkg_out(pkg))


@package_router.get("/{int:pk}", response=PackageDetail, summary="A package with its public achievements")
@public
def get_package(request, pk: int):
    pkg = packages.get_package(request.auth, pk)
    return {**_pkg_out(pkg), "achievements": packages.package_contents(pkg)}


@package_router.post("/{int:pk}/items", response={201: PackageOut}, summary="Add an achievement to a draft package")
def add_package_item(request, pk: int, payload: PackageItemIn):
    pkg = packages.get_package(request.auth, pk)
    ach = services.get_achievement(request.auth, payload.achievement)
    packages.add_to_package(request.auth, pkg, ach, payload.note)
    return Reply(201, _pkg_out(pkg))


@package_router.delete("/{int:pk}/items/{int:achievement_id}", response={204: None}, summary="Remove an achievement")
def remove_package_item(request, pk: int, achievement_id: int):
    pkg = packages.get_package(request.auth, pk)
    ach = Achievement.objects.filter(pk=achievement_id).first()
    if ach is None:
        raise NotFound(_("No such achievement."))
    packages.remove_from_package(request.auth, pkg, ach)
    return Reply(204, None)


@package_router.post("/{int:pk}/publish", response=PackageOut, summary="Publish a package")
def publish_package(request, pk: int):
    return _pkg_out(packages.publish_package(request.auth, packages.get_package(request.auth, pk)))


@package_router.post("/{int:pk}/unpublish", response=PackageOut, summary="Take a package back to draft")
def unpublish_package(request, pk: int, payload: DecisionIn):
    return _pkg_out(packages.unpublish_package(request.auth, packages.get_package(request.auth, pk), payload.reason))


router.add_router("/achievements", achievements)
router.add_router("/demands", demands)
router.add_router("/packages", package_router)
router.add_router("/nda-requests", nda_router)
router.add_router("/classified", classified_router)
