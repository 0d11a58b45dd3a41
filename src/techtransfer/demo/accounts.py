"""The demo accounts printed by ``techtransfer demo`` (created by the foundation part).

Every account has the password ``DEMO_PASSWORD`` and ``is_demo=True``. ``DEMO_USERS`` says how the foundation
part creates them: role, region scope, the demo organization they belong to (``university``, ``enterprise``,
``registration_point``, ``department`` — picked by the loader) and which kind of person record to link (``broker``,
``expert``, ``researcher``).
"""

DEMO_PASSWORD = "demo-Tech-2026"

DEMO_USERS: list[dict[str, str]] = [
    {"username": "platform", "display_name": "平台管理员（演示）", "role": "platform_admin",
     "label": "platform administrator", "scope": "whole platform"},
    {"username": "province", "display_name": "省级管理员（演示）", "role": "region_admin", "region": "530000",
     "label": "region administrator (province)", "scope": "云南省 530000"},
    {"username": "kunming", "display_name": "昆明市管理员（演示）", "role": "region_admin", "region": "530100",
     "label": "region administrator (city)", "scope": "昆明市 530100"},
    {"username": "wuhua", "display_name": "五华区管理员（演示）", "role": "region_admin", "region": "530102",
     "label": "region administrator (county)", "scope": "五华区 530102"},
    {"username": "uni_admin", "display_name": "高校管理员（演示）", "role": "org_admin", "org": "university",
     "label": "organization administrator", "scope": "a demo university"},
    {"username": "uni_member", "display_name": "高校科研人员（演示）", "role": "org_member", "org": "university",
     "person": "researcher", "label": "organization member (researcher)", "scope": "a demo university"},
    {"username": "ent_admin", "display_name": "企业管理员（演示）", "role": "org_admin", "org": "enterprise",
     "label": "organization administrator", "scope": "a demo enterprise in Kunming"},
    {"username": "ent_member", "display_name": "企业员工（演示）", "role": "org_member", "org": "enterprise",
     "label": "organization member", "scope": "a demo enterprise in Kunming"},
    {"username": "broker", "display_name": "技术经纪人（演示）", "role": "broker", "person": "broker",
     "label": "technology broker", "scope": "own cases"},
    {"username": "expert", "display_name": "评审专家（演示）", "role": "expert", "person": "expert",
     "label": "expert", "scope": "assigned reviews"},
    {"username": "reviewer", "display_name": "登记审核员（演示）", "role": "reviewer", "region": "530100",
     "org": "registration_point", "label": "registration-point reviewer", "scope": "昆明 registration point 530100"},
    {"username": "edu_dept", "display_name": "主管部门管理员（演示）", "role": "org_admin", "org": "department",
     "label": "supervising department administrator", "scope": "云南省教育厅（演示）: its units' annual reports"},
    {"username": "secrecy", "display_name": "保密审查员（演示）", "role": "secrecy_officer", "org": "university",
     "label": "secrecy officer", "scope": "a demo university's dual-use records (access grants, declassification)"},
    {"username": "visitor", "display_name": "访客（演示）", "role": "visitor",
     "label": "visitor", "scope": "public pages"},
]

# username, role shown to the person starting the demo, scope
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [(u["username"], u["label"], u["scope"]) for u in DEMO_USERS]
