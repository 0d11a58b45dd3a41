from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from techtransfer.core.apidoc import public
from techtransfer.core.errors import DomainError
from techtransfer.regions.models import Region
from techtransfer.regions.services import RegionError, scope_prefix, tier_path

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    tier: str
    parent: str | None


def _out(r: Region) -> dict:
    return {"code": r.code, "name": r.name, "name_en": r.name_en, "tier": r.tier, "parent": r.parent_id}


@router.get("", response=list[RegionOut], summary="Regions below a parent (default: the provinces)")
@public
def list_regions(request, parent: str | None = None, within: str | None = None, tier: str | None = None):
    qs = Region.objects.filter(active=True)
    try:
        if parent:
            qs = qs.filter(parent_id=parent)
        elif within:
            qs = qs.filter(code__startswith=scope_prefix(within))
        elif not tier:
            qs = qs.filter(tier="province")
    except RegionError:
        raise DomainError(
            _("A region code has six digits (GB/T 2260), not %s.") % repr(parent or within),
            field="parent" if parent else "within",
        )
    if tier:
        if tier not in {"province", "city", "county"}:
            raise DomainError(_("The tier must be province, city or county."), field="tier")
        qs = qs.filter(tier=tier)
    return [_out(r) for r in qs.order_by("code")[:5000]]


@router.get("/{code}", response={200: RegionOut}, summary="One region")
@public
def get_region(request, code: str):
    return _out(get_object_or_404(Region, code=code))


@router.get("/{code}/path", response=list[RegionOut], summary="The tier path province → city → county")
@public
def get_path(request, code: str):
    get_object_or_404(Region, code=code)
    regions = {r.code: r for r in Region.objects.filter(code__in=tier_path(code))}
    return [_out(regions[c]) for c in tier_path(code) if c in regions]
