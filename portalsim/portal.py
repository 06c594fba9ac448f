"""Whole portals: the way from a people's government's home page to the annual-report columns.

Every people's government of the world (an agency of kind ``region``) runs a portal on its own
site ``/{slug}/`` (portals.md §1): a home page, a 政务公开 page and a 政府信息公开 platform whose
fixed sections (指南, 制度, 法定主动公开内容, 依申请公开, 年报) lead to the government's own 年报
column, to index pages of its departments' and townships' columns (layout (c): 部门年报,
乡镇（街道）年报, one link per body, named after it) and to decoy columns that look like report
columns but are not (统计公报, 政府工作报告, 规划计划, 政务公开工作要点/总结, the 年报 format
notices), each a real listing of year-titled items.

How deep the columns sit varies by portal (the platform one or two clicks from home, the 年报
section a column or a hub of 本级/部门/乡镇 tabs, Hanweb's ``xxgkAnnualReport.jsp`` app listing
every body), and a minority of portals deliver their links only through a script: an inline
JS menu, a JSON/XML menu endpoint, a JSON list of units, or Hanweb records (an inline
``<datastore>`` or ``dataproxy.jsp``).

A portal is a small graph of :class:`Node` s, a pure function of (seed, government, world size),
built on the first request and cached; nothing is built for portals nobody asks about.  The
world's columns, listings and reports are untouched: the portal only adds pages linking to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from portalsim.names import SLOTS_PER_PLACE
from portalsim.rng import h64, rng
from portalsim.site import column_url_path
from portalsim.world import Agency, agency

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
HTML = "html"
# How a page delivers the links to its children (anything but "html" needs a script read).
LINK_MODES = ("html", "inline_js", "json", "xml", "records", "api")
DECOY_START = 2016
NB_LABELS = ("政府信息公开年报", "政府信息公开工作年度报告", "信息公开年报")

# kind → (anchor text of the column, URL slug); each a listing of year-titled items.
DECOYS: dict[str, tuple[str, str]] = {
    "tjgb": ("统计公报", "tjgb"),
    "zfgzbg": ("政府工作报告", "zfgzbg"),
    "ghjh": ("规划计划", "ghjh"),
    "gzyd": ("政务公开工作要点", "gzyd"),
    "gzzj": ("政务公开工作总结", "gzzj"),
    "nbgs": ("政府信息公开工作年度报告格式", "ndbggs"),
}
# Text and navigation pages of the platform: key → (title, TRS/plain slug).
SECTIONS: dict[str, tuple[str, str]] = {
    "guide": ("政府信息公开指南", "zfxxgkzn"),
    "rules": ("政府信息公开制度", "zfxxgkzd"),
    "fdzdgknr": ("法定主动公开内容", "fdzdgknr"),
    "ysq": ("依申请公开", "ysqgk"),
    "hub": ("政府信息公开年报", "gknb"),
    "bm": ("部门年报", "bmnb"),
    "xz": ("乡镇（街道）年报", "xzjdnb"),
}


@dataclass(frozen=True, slots=True)
class Layout:
    """The per-portal choices: where the platform sits and how links are delivered."""

    platform_depth: int  # 1: home links the platform; 2: only the 政务公开 page does
    nb: str  # direct (platform → gov column) | hub (年报 tabs page) | jsp (Hanweb annual-report app)
    menu: str  # how the platform delivers its sections: html | inline_js | json | xml
    index: str  # how index pages deliver bodies: html | json | records | api
    platform_slug: str  # TRS: the platform's directory under the site
    nb_label: str  # the anchor text of the 年报 section (portals.md §1 lists the variants)


@dataclass(frozen=True, slots=True)
class Node:
    """A page of the portal (or a leaf: a body's column, served by the world's sites)."""

    key: str
    title: str  # the page title and the anchor text of links to it
    href: str  # the link target as written (path, with a query for app pages)
    role: str  # home | page | text | hub | index | decoy | column
    children: tuple[str, ...] = ()
    mode: str = HTML  # how this page delivers the links to its children
    endpoint: str = ""  # the menu/list endpoint a script reads (modes json, xml, api)
    body: int | None = None  # the agency index of a column leaf
    anchor: str = ""  # anchor text of links to this node (defaults to title)

    @property
    def route(self) -> str:
        """The path the server answers for this node (the href without its query)."""
        return self.href.split("?", 1)[0]

    @property
    def label(self) -> str:
        """The anchor text of links to this node."""
        return self.anchor or self.title


@dataclass(frozen=True, slots=True)
class Portal:
    """A government's portal: its nodes (first = home), routes and the bodies it reaches."""

    gov: Agency
    layout: Layout
    agencies: int  # the world's size (bodies beyond it are not linked)
    nodes: dict[str, Node]
    routes: dict[str, str]  # path → node key (pages)
    endpoints: dict[str, str] = field(default_factory=dict)  # path or "api:<columnid>" → node key

    def node(self, key: str) -> Node:
        """The node ``key``."""
        return self.nodes[key]

    def url(self, key: str) -> str:
        """The link target of node ``key``."""
        return self.nodes[key].href


@dataclass(frozen=True, slots=True)
class DecoyItem:
    """One item of a decoy column."""

    kind: str
    title: str
    posted: date
    doc_id: int
    href: str  # as written in the listing
    path: str  # absolute path of its detail page


def place_members(gov_index: int, agencies: int) -> list[int]:
    """Indices of the world's agencies in the government's place (itself excluded), in order."""
    first = (gov_index - 1) // SLOTS_PER_PLACE * SLOTS_PER_PLACE + 1
    return [j for j in range(first, first + SLOTS_PER_PLACE) if j <= agencies and j != gov_index]


def portal_indices(seed: int, agencies: int) -> list[int]:
    """Indices of the governments (agencies of kind ``region``) that run a portal."""
    return [i for i in range(1, agencies + 1) if agency(seed, i).kind == "region"]


def layout_of(gov: Agency) -> Layout:
    """The portal layout of government ``gov`` (drawn from the seed)."""
    r = rng(gov.seed, "portal", gov.index)
    depth = 1 if r.random() < 0.6 else 2
    nb = "direct" if depth == 2 or r.random() < 0.5 else "hub"
    if nb == "hub" and gov.family == "hanweb" and r.random() < 0.5:
        nb = "jsp"
    x = r.random()
    menu = HTML if x < 0.88 else ("inline_js" if x < 0.94 else ("xml" if gov.family == "hanweb" else "json"))
    y = r.random()
    if gov.family == "hanweb":
        index = "records" if y < 0.5 else ("api" if y < 0.7 else HTML)
    else:
        index = "json" if y < 0.08 else HTML
    slug = r.choice(("zwgk/zfxxgk/", "zfxxgk/", "zfxxgkzl/"))
    label = r.choices(NB_LABELS, weights=(60, 25, 15))[0]
    return Layout(depth, nb, menu, index, slug, label)


# Keys of the portal's own columns, in the order their ids are numbered.
COLUMN_KEYS = ("zwgk", "platform", *SECTIONS, *DECOYS)


class _Paths:
    """URL shapes of a portal's pages in the government's CMS family (portals.md §2)."""

    def __init__(self, gov: Agency, layout: Layout) -> None:
        self.gov, self.layout = gov, layout
        self.root = f"/{gov.slug}/"
        base = h64(gov.seed, "portal-columns", gov.index)
        self._colbase = 1229_000_000 + base % 999_000 // 1000 * 1000  # Hanweb: col1229NNNNNN
        self._cbase = 100_000 + base % 800_000  # trs6: c<6 digits> under /zwgk/

    def number(self, key: str) -> int:
        """A stable column id for ``key`` (Hanweb ``col<ID>`` or trs6 ``c<ID>``)."""
        base = self._colbase if self.gov.family == "hanweb" else self._cbase
        return base + (COLUMN_KEYS.index(key) + 1) * 7

    def zwgk(self) -> str:
        """The 政务公开 page."""
        return {
            "trs": self.root + "zwgk/",
            "trs6": self.root + "zwgk/index.shtml",
            "hanweb": self.root + f"col/col{self.number('zwgk')}/index.html",
            "plain": self.root + "zwgk/index.html",
        }[self.gov.family]

    def platform(self) -> str:
        """The 政府信息公开 platform page."""
        return {
            "trs": self.root + self.layout.platform_slug,
            "trs6": self.root + "zwgk/zfxxgk/index.shtml",
            "hanweb": self.root + f"col/col{self.number('platform')}/index.html",
            "plain": self.root + "xxgk/index.html",
        }[self.gov.family]

    def section(self, key: str, slug: str, listing: bool = False) -> str:
        """A section or column page of the platform (``listing``: a column of items)."""
        family = self.gov.family
        if family == "trs":
            parent = self.root + "zwgk/" if key in ("gzyd", "gzzj") else self.platform()
            if key in ("tjgb", "zfgzbg", "ghjh"):
                parent += "fdzdgknr/"
            elif key in ("bm", "xz", "nbgs") and self.layout.nb == "hub":
                parent += SECTIONS["hub"][1] + "/"  # tabs of the 年报 hub live under it
            return f"{parent}{slug}/"
        if family == "trs6":
            name = "zwgklist.shtml" if listing else "index.shtml"
            return self.root + f"zwgk/c{self.number(key)}/{name}"
        if family == "hanweb":
            return self.root + f"col/col{self.number(key)}/index.html"
        return self.root + (f"xxgk/{slug}/list.html" if listing else f"xxgk/{slug}.html")

    def jsp(self) -> str:
        """Hanweb's annual-report app (永嘉 ``xxgkAnnualReport.jsp?area=<code>``)."""
        return self.root + f"module/xxgk/xxgkAnnualReport.jsp?area={self.gov.region}"

    def menu_endpoint(self) -> str:
        """The JSON/XML endpoint a script reads to build the platform's menu."""
        if self.gov.family == "hanweb":
            return self.root + f"module/jslib/menu/col{self.number('platform')}.xml"
        return self.platform().rsplit("/", 1)[0] + "/menu.json"

    def index_endpoint(self, key: str, page: str) -> str:
        """The endpoint an index page's script reads (JSON list, or Hanweb records API)."""
        if self.layout.index == "api":
            g = self.gov
            return (
                f"{DATAPROXY}?startrecord=1&endrecord=45&perpage=15&col=1&appid=1&webid={g.web_id}"
                f"&path=/&columnid={self.number(key)}&unitid={g.unit_id}&webname={g.slug}&permissiontype=0"
            )
        return page.rsplit("/", 1)[0] + f"/{SECTIONS[key][1]}.json"

    def decoy_item(self, key: str, column: str, d: date, doc_id: int) -> tuple[str, str]:
        """(href as listed, absolute path) of an item of the decoy column at ``column``."""
        family = self.gov.family
        if family == "trs":
            rel = f"{d:%Y%m}/t{d:%Y%m%d}_{doc_id}.html"
            return "./" + rel, column + rel
        if family == "trs6":
            path = column.rsplit("/", 1)[0] + f"/{d:%Y%m}/{doc_id}.shtml"
            return path, path
        if family == "hanweb":
            path = self.root + f"art/{d.year}/{d.month}/{d.day}/art_{self.number(key)}_{doc_id}.html"
            return path, path
        path = column.rsplit("/", 1)[0] + f"/{doc_id}.html"
        return path, path


class _Builder:
    """Builds the node graph of one portal."""

    def __init__(self, gov: Agency, agencies: int) -> None:
        self.gov, self.agencies = gov, agencies
        self.layout = layout_of(gov)
        self.paths = _Paths(gov, self.layout)
        self.nodes: dict[str, Node] = {}
        self.endpoints: dict[str, str] = {}
        members = [agency(gov.seed, j) for j in place_members(gov.index, agencies)]
        self.depts = [m.index for m in members if m.kind == "dept"]
        self.towns = [m.index for m in members if m.kind == "township"]

    def add(self, node: Node) -> str:
        self.nodes[node.key] = node
        return node.key

    def column(self, i: int, anchor: str = "") -> str:
        """A leaf for body ``i``'s column (the world's column URL)."""
        ag = agency(self.gov.seed, i)
        return self.add(Node(f"col:{i}", ag.name, column_url_path(ag), "column", body=i, anchor=anchor))

    def decoy(self, kind: str) -> str:
        title, slug = DECOYS[kind]
        return self.add(Node(f"decoy:{kind}", title, self.paths.section(kind, slug, listing=True), "decoy"))

    def text(self, key: str) -> str:
        title, slug = SECTIONS[key]
        return self.add(Node(key, title, self.paths.section(key, slug), "text"))

    def index(self, key: str, bodies: list[int]) -> str | None:
        """An index page of bodies' columns (部门年报 / 乡镇（街道）年报); None without bodies."""
        if not bodies:
            return None
        title, slug = SECTIONS[key]
        href = self.paths.section(key, slug)
        mode = self.layout.index
        endpoint = self.paths.index_endpoint(key, href) if mode in ("json", "api") else ""
        children = tuple(self.column(i) for i in bodies)
        self.add(Node(key, title, href, "index", children, mode, endpoint))
        if mode == "api":
            self.endpoints[f"api:{self.paths.number(key)}"] = key
        elif mode == "json":
            self.endpoints[endpoint] = key
        return key

    def annual(self) -> list[str]:
        """The platform's 年报 entries: the gov column (or a hub/app) and the body indexes."""
        label, nb = self.layout.nb_label, self.layout.nb
        # the link to the government's own column: the section itself, a 本级 tab, or its name (jsp)
        gov_col = self.column(self.gov.index, anchor={"direct": label, "hub": "本级政府年报", "jsp": ""}[nb])
        if nb == "jsp":
            children = tuple(self.column(i) for i in (self.gov.index, *self.depts, *self.towns))
            self.add(Node("hub", label, self.paths.jsp(), "hub", children))
            return ["hub", self.decoy("nbgs")]
        indexes = [k for k in (self.index("bm", self.depts), self.index("xz", self.towns)) if k]
        if nb == "direct":
            return [gov_col, *indexes, self.decoy("nbgs")]
        href = self.paths.section("hub", SECTIONS["hub"][1])
        self.add(Node("hub", label, href, "hub", (gov_col, *indexes, self.decoy("nbgs"))))
        return ["hub"]

    def build(self) -> Portal:
        """The portal: pages from home down, routes and script endpoints."""
        fdzd = tuple(self.decoy(k) for k in ("zfgzbg", "ghjh", "tjgb"))
        self.add(
            Node(
                "fdzdgknr", SECTIONS["fdzdgknr"][0], self.paths.section("fdzdgknr", "fdzdgknr"), "page", fdzd
            )
        )
        sections = (self.text("guide"), self.text("rules"), "fdzdgknr", *self.annual(), self.text("ysq"))
        menu = self.layout.menu
        endpoint = self.paths.menu_endpoint() if menu in ("json", "xml") else ""
        self.add(Node("platform", "政府信息公开", self.paths.platform(), "page", sections, menu, endpoint))
        if endpoint:
            self.endpoints[endpoint] = "platform"
        self.add(
            Node(
                "zwgk",
                "政务公开",
                self.paths.zwgk(),
                "page",
                ("platform", self.decoy("gzyd"), self.decoy("gzzj")),
            )
        )
        home_children = ("zwgk", "platform") if self.layout.platform_depth == 1 else ("zwgk",)
        home = Node("home", self.gov.name, f"/{self.gov.slug}/", "home", home_children)
        nodes = {"home": home, **self.nodes}
        routes = {n.route: n.key for n in nodes.values() if n.role != "column"}
        # a directory page answers as ``…/index.html`` too (like the world's TRS columns)
        routes.update({r + "index.html": k for r, k in list(routes.items()) if r.endswith("/")})
        return Portal(self.gov, self.layout, self.agencies, nodes, routes, dict(self.endpoints))


@lru_cache(maxsize=1024)
def portal(seed: int, gov_index: int, agencies: int) -> Portal | None:
    """The portal of government ``gov_index`` in a world of ``agencies``; None if it is no government."""
    gov = agency(seed, gov_index)
    if gov.kind != "region" or gov_index > agencies:
        return None
    return _Builder(gov, agencies).build()


def nav_keys(p: Portal, key: str) -> list[str]:
    """The navigation links every portal page carries: 首页, 政务公开 (and 政府信息公开 when the
    home page links it), then the breadcrumb's ancestors, without the page itself."""
    out = ["home", "zwgk"] + (["platform"] if p.layout.platform_depth == 1 else [])
    return [k for k in dict.fromkeys(out + breadcrumb(p, key)) if k != key]


def breadcrumb(p: Portal, key: str) -> list[str]:
    """Keys of the ancestors of ``key`` (home first), along the first parent found."""
    parents: dict[str, str] = {}
    for node in p.nodes.values():
        for child in node.children:
            parents.setdefault(child, node.key)
    out: list[str] = []
    while key in parents:
        key = parents[key]
        out.append(key)
    return out[::-1]


def reach(p: Portal) -> dict[str, tuple[int, tuple[str, ...], str]]:
    """Each node reachable from home: (clicks, link modes the shortest path needs, linking node).

    Breadth first over the links pages carry (navigation links are plain HTML); among shortest
    paths the one needing fewest script-delivered links wins.
    """
    best: dict[str, tuple[int, tuple[str, ...], str]] = {"home": (0, (), "")}
    layer = ["home"]
    depth = 0
    while layer:
        depth += 1
        found: dict[str, tuple[int, tuple[str, ...], str]] = {}
        for key in layer:
            node, needs = p.node(key), best[key][1]
            if node.role in ("column", "decoy"):
                continue
            edges = [(c, node.mode) for c in node.children] + [(k, HTML) for k in nav_keys(p, key)]
            for child, mode in edges:
                if child in best:
                    continue
                cand = tuple(sorted(set(needs) | ({mode} - {HTML})))
                if child not in found or len(cand) < len(found[child][1]):
                    found[child] = (depth, cand, key)
        best.update(found)
        layer = list(found)
    return best


def decoy_entries(gov: Agency, kind: str, year: int) -> list[tuple[str, date]]:
    """(title, posted) of the items of decoy column ``kind`` about ``year``."""
    r = rng(gov.seed, "decoy", gov.index, kind, year)
    place, name = gov.place, gov.name
    if kind == "tjgb":
        return [(f"{place}{year}年国民经济和社会发展统计公报", date(year + 1, 3, r.randint(5, 28)))]
    if kind == "zfgzbg":
        return [(f"{year}年{place}政府工作报告", date(year, 1, r.randint(8, 28)))]
    if kind == "ghjh":
        out = [(f"{place}{year}年国民经济和社会发展计划", date(year, 2, r.randint(1, 27)))]
        if year in (2016, 2021):
            plan = "十三" if year == 2016 else "十四"
            title = f"{place}国民经济和社会发展第{plan}个五年规划纲要（{year}—{year + 4}年）"
            out.append((title, date(year, 3, r.randint(1, 28))))
        return out
    if kind == "gzyd":
        return [
            (
                f"{name}办公室关于印发{place}{year}年政务公开工作要点的通知",
                date(year, r.randint(3, 5), r.randint(1, 28)),
            )
        ]
    if kind == "gzzj":
        return [(f"{name}{year}年政务公开工作总结", date(year, 12, r.randint(10, 28)))]
    out = [
        (f"关于做好{year}年度政府信息公开工作年度报告编制发布工作的通知", date(year, 12, r.randint(1, 20)))
    ]
    if year == 2021:
        title = "关于印发中华人民共和国政府信息公开工作年度报告格式的通知"
        out.append((title, date(2021, 9, r.randint(26, 30))))
    return out


@lru_cache(maxsize=1024)
def decoy_items(seed: int, gov_index: int, agencies: int, kind: str, horizon: int) -> tuple[DecoyItem, ...]:
    """Every item of decoy column ``kind`` up to year ``horizon``, newest first."""
    p = portal(seed, gov_index, agencies)
    assert p is not None
    gov, column, paths = p.gov, p.url(f"decoy:{kind}"), _Paths(p.gov, p.layout)
    out = []
    for year in range(max(DECOY_START, gov.first_year), horizon + 1):
        for k, (title, posted) in enumerate(decoy_entries(gov, kind, year)):
            doc_id = 7_000_000 + list(DECOYS).index(kind) * 100_000 + (year - 2000) * 10 + k
            href, path = paths.decoy_item(kind, column, posted, doc_id)
            out.append(DecoyItem(kind, title, posted, doc_id, href, path))
    out.sort(key=lambda it: (it.posted, it.doc_id), reverse=True)
    return tuple(out)


@lru_cache(maxsize=256)
def decoy_routes(seed: int, gov_index: int, agencies: int, horizon: int) -> dict[str, DecoyItem]:
    """Detail-page path → item, for every decoy column of the portal."""
    return {it.path: it for kind in DECOYS for it in decoy_items(seed, gov_index, agencies, kind, horizon)}
