"""Seed rows of the ownership table (loaded by a data migration; platform administrators may edit them).

Source: the ownership groups of the registration types used by the national statistics (国家统计局《关于划分企业
登记注册类型的规定》: 国有, 集体, 私营, 港澳台商投资, 外商投资, and the joint-stock and limited-liability forms
grouped here as 混合所有制) and by the technology-market statistics' breakdown of parties. *(check: the statistical
form in force may group them differently; the table is data for that reason.)*
"""

# (code, name, English name, state-owned)
OWNERSHIPS = [
    ("state", "国有", "State-owned", True),
    ("collective", "集体", "Collective", False),
    ("private", "私营", "Private", False),
    ("foreign", "外商投资", "Foreign-invested", False),
    ("hmt", "港澳台商投资", "Hong Kong, Macao or Taiwan-invested", False),
    ("mixed", "混合所有制", "Mixed ownership", False),
]
