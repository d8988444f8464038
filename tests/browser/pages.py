"""Every page a person opens in a browser, in one list: the accessibility and phone-width tests
(test_accessibility.py) visit each one. A new page is one line here.

``path`` is relative to the hub's URL; the names in braces are filled in by the ``site`` fixture of
test_accessibility.py: ``{contribution}`` one waiting for a steward, ``{proposal}`` an open one, ``{project}`` the
demo project, ``{release}`` one waiting for a checker, ``{own_dataset}`` analyst1's approved contribution,
``{place}`` a ward and ``{area}`` a borough the stories were published for. ``who`` is the demo person signed in
(None: nobody, as a resident). ``ready``: a selector shown once the page is ready (None: the page has loaded);
``chart``: a story app, ready once its first chart is drawn in its frame. ``status``: the HTTP status it answers.
``area``: "public" (no login), "governance" (members, stewards, checkers), "hub".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    path: str
    who: str | None = None
    area: str = "public"
    ready: str | None = None
    chart: bool = False
    status: int = 200

    @property
    def name(self) -> str:
        return (
            self.path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-").replace("{", "").replace("}", "")
            or "root"
        ) + (f"-as-{self.who}" if self.who else "")


REGISTER = "/services/register/"
STORIES = "/services/stories/"
DATA_API = "/services/data-api/"

PAGES = [
    # the hub
    Page("/hub/login", area="hub"),
    Page("/hub/signup", area="hub"),
    Page("/hub/home", who="analyst1", area="hub"),
    Page("/hub/authorize", who="steward", area="hub"),
    Page("/hub/change-password", who="analyst1", area="hub"),
    # the public register
    Page(REGISTER),
    Page(REGISTER + "datasets"),
    Page(REGISTER + "datasets/imd2019_lsoa11"),
    Page(REGISTER + "projects"),
    Page(REGISTER + "projects/{project}"),
    Page(REGISTER + "uses"),
    Page(REGISTER + "uses?dataset=imd2019_lsoa11"),
    Page(REGISTER + "uses?from=not-a-date", status=400),
    Page(REGISTER + "releases"),
    Page(REGISTER + "contributions"),
    Page(REGISTER + "stories"),
    Page(REGISTER + "audit"),
    Page(REGISTER + "no-such-page", status=404),
    # stories for residents: the gallery, the live apps (Voilà), the static pages
    Page(STORIES),
    Page(STORIES + "your-neighbourhood/app?ward={place}", chart=True),
    Page(STORIES + "children-and-older-people/app?ward={place}", chart=True),
    Page(STORIES + "crime-by-area/app?area={area}", chart=True),
    Page(STORIES + "deprivation-across-the-region/app?area={area}", chart=True),
    Page(STORIES + "your-neighbourhood/pages/{place}.html", ready=".commons-plot .main-svg"),
    Page(STORIES + "children-and-older-people/pages/{place}.html", ready=".commons-plot .main-svg"),
    Page(STORIES + "crime-by-area/pages/{area}.html", ready=".commons-plot .main-svg"),
    Page(STORIES + "deprivation-across-the-region/pages/{area}.html", ready=".commons-plot .main-svg"),
    # governance pages of the data-api (members and stewards)
    Page(DATA_API + "commons", who="analyst1", area="governance"),
    Page(DATA_API + "commons", who="steward", area="governance"),
    Page(DATA_API + "propose", who="analyst1", area="governance"),
    Page(DATA_API + "propose-member", who="analyst1", area="governance"),
    Page(DATA_API + "decisions", who="steward", area="governance"),
    Page(DATA_API + "decisions/{proposal}", who="steward", area="governance"),
    Page(DATA_API + "contributions", who="steward", area="governance"),
    Page(DATA_API + "contributions", who="analyst1", area="governance"),
    Page(DATA_API + "contributions/{contribution}", who="steward", area="governance"),
    Page(DATA_API + "contribute", who="analyst1", area="governance"),
    Page(DATA_API + "datasets/{own_dataset}/withdraw", who="analyst1", area="governance"),
    Page(DATA_API + "releases", who="checker", area="governance"),
    Page(DATA_API + "releases/{release}", who="checker", area="governance"),
]

WIDTHS = {"phone": 390, "laptop": 1440}
