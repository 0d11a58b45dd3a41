from datetime import datetime

from ninja import Router, Schema

from techtransfer.audit.services import visible_entries
from techtransfer.core.pagination import paginate

router = Router(tags=["audit"])


class EntryOut(Schema):
    id: int
    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    before: dict | None
    after: dict | None
    reason: str


class EntryPage(Schema):
    items: list[EntryOut]
    count: int
    page: int
    pages: int
    page_size: int


@router.get("", response=EntryPage, summary="Audit trail within your administrative scope")
def list_entries(
    request, object_type: str = "", object_id: str = "", action: str = "", page: int = 1, page_size: int = 50
):
    qs = visible_entries(request.auth, object_type=object_type, object_id=object_id, action=action)
    sl = paginate(qs, page, page_size)
    return {
        "items": sl.items,
        "count": sl.count,
        "page": sl.page,
        "pages": sl.pages,
        "page_size": sl.page_size,
    }
