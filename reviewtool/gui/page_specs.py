"""The main window's sections, in navigation order: plain data, so the start
window (``gui/start_window.py``) can list them before anything else is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from reviewtool.i18n import N_


@dataclass(frozen=True)
class PageSpec:
    """One navigation entry: the window attribute, the title's msgid and ``module:Class``."""

    attribute: str
    title: str
    target: str

    @property
    def class_name(self) -> str:
        return self.target.rsplit(":", 1)[1]


#: One page per section, in navigation order; each page is its own module, imported when first shown
#: (gui/page_stack.py). Add a page here and as a ``PageAttribute`` of ``gui.main_window.MainWindow``.
PAGES = (
    PageSpec("batches_page", N_("Batches"), "reviewtool.gui.batches.batch_page:BatchPage"),
    PageSpec("applications_page", N_("Applications"), "reviewtool.gui.applications_page:ApplicationsPage"),
    PageSpec("areas_page", N_("Priority areas"), "reviewtool.gui.areas_page:AreasPage"),
    PageSpec("ranking_page", N_("Ranking"), "reviewtool.gui.scoring.ranking_page:RankingPage"),
    PageSpec("funding_page", N_("Funding"), "reviewtool.gui.funding.funding_page:FundingPage"),
    PageSpec("experts_page", N_("Expert pool"), "reviewtool.gui.experts.pool_page:ExpertPoolPage"),
    PageSpec("panels_page", N_("Expert panels"), "reviewtool.gui.panels.panel_page:PanelPage"),
    PageSpec(
        "publicity_page", N_("Public notice and objections"), "reviewtool.gui.publicity.publicity_page:PublicityPage"
    ),
    PageSpec("dashboard_page", N_("Batch progress"), "reviewtool.gui.dashboard.dashboard_page:DashboardPage"),
    PageSpec("audit_log_page", N_("Audit log"), "reviewtool.gui.audit_log.audit_log_page:AuditLogPage"),
)
#: What a 评审专家 / 专家组长 without a staff role sees: their own reviews only (gui/my_reviews).
EXPERT_PAGES = (
    PageSpec("my_reviews_page", N_("My reviews"), "reviewtool.gui.my_reviews.my_reviews_page:MyReviewsPage"),
)
