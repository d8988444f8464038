"""Who may request, review, resubmit and download a release, and what the reviews add up to: pure functions.

Two questions kept apart, as in ``commons_hub.policy``: may this *person* act (project member, checker, not the
requester), and does the *state* allow it (project approved and running, release still pending). The convention
is the governance wing's: a question about the person alone is ``can_X(...) -> bool``; a decision over the person
and the state is ``decide_X(...) -> Decision`` (pure, like ``policy.decide_read``), and ``check_can_X(...)`` makes
the same decision and raises for a refusal (AccessDenied when the person may not act, GovernanceError when the
state forbids it), returning the Decision when it allows.

The review rule: two different members of the checkers group, neither of them the requester, must approve.
A checker's latest review is the one that counts, so approving twice is one approval. One rejection ends the
request; one request for changes sends it back to the requester, who may resubmit it as a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from commons_hub.policy import CHECKERS_GROUP, Caller, Decision, ProjectView
from commons_kernel.exceptions import AccessDenied, GovernanceError, ValidationFailed

APPROVALS_NEEDED = 2
APPROVE, REQUEST_CHANGES, REJECT = "approve", "request-changes", "reject"
DECISIONS = (APPROVE, REQUEST_CHANGES, REJECT)
PENDING, RELEASED, REJECTED, CHANGES_REQUESTED = "pending", "released", "rejected", "changes-requested"
STATUSES = (PENDING, RELEASED, REJECTED, CHANGES_REQUESTED)


@dataclass(frozen=True)
class ReleaseView:
    id: int
    project: str
    requester: str
    status: str
    version: int = 1


@dataclass(frozen=True)
class ReviewView:
    checker: str
    decision: str


def can_check_outputs(caller: Caller) -> bool:
    """Is ``caller`` an output checker (a member of the checkers group)?"""
    return CHECKERS_GROUP in caller.groups


def can_see_details(caller: Caller, release: ReleaseView, project_members: frozenset[str]) -> bool:
    """May ``caller`` see all of ``release`` (description, requester, files, reviews) whatever its status? The
    output checkers, the project's members and the requester; others see the public part once it is released."""
    return can_check_outputs(caller) or caller.name in project_members or caller.name == release.requester


def _denied(reason: str, how: str, rule: str, project: str | None = None) -> Decision:
    return Decision(False, reason, how, project=project, rule=rule)


def _not_now(reason: str, how: str, rule: str, project: str | None = None) -> Decision:
    # "state" refusals: the person may act, but not in the release's or project's current state
    return Decision(False, reason, how, project=project, rule=rule, details={"kind": "state"})


def decide_request(
    caller: Caller, project_slug: str, project: ProjectView | None, today: date | None = None
) -> Decision:
    """May ``caller`` ask for outputs of ``project`` to be released now?"""
    today = today or date.today()
    if caller.kind != "user":
        return _denied(
            f"{caller.kind} {caller.name} cannot ask for a release: only people can.",
            "Ask from a member's notebook with ck.request_release(...).",
            "request-person",
        )
    if project is None:
        return _denied(
            f"there is no project called {project_slug!r}.", "List projects with `ck.projects()`.", "request-project"
        )
    if caller.name not in project.members:
        return _denied(
            f"{caller.name} is not a member of project {project.slug!r}: only its members may ask for "
            f"its outputs to be released.",
            "Ask the project's members to add you (it goes to a vote).",
            "request-member",
            project.slug,
        )
    if project.status != "approved":
        return _not_now(
            f"project {project.slug!r} is {project.status}, not approved.",
            "Releases start once the members' vote approves the project.",
            "request-project-status",
            project.slug,
        )
    if project.start_date and today < project.start_date:
        return _not_now(
            f"project {project.slug!r} starts on {project.start_date.isoformat()}.",
            "Ask again once the project has started.",
            "request-project-dates",
            project.slug,
        )
    if today > project.end_date:
        return _not_now(
            f"project {project.slug!r} ended on {project.end_date.isoformat()}.",
            "Propose an extension (a new end date goes to a vote).",
            "request-project-dates",
            project.slug,
        )
    return Decision(
        True, f"{caller.name} is a member of approved project {project.slug!r}.", project=project.slug, rule="request"
    )


def decide_resubmit(caller: Caller, old: ReleaseView, replaced_by: int | None, project_slug: str) -> Decision:
    """May ``caller`` resubmit release ``old`` (sent back for changes) as a new version?"""
    if caller.name != old.requester:
        return _denied(
            f"release {old.id} was requested by {old.requester}; only they may resubmit it.",
            "Ask for a new release of your own with ck.request_release(...).",
            "resubmit-requester",
            old.project,
        )
    if old.project != project_slug:
        return _not_now(
            f"release {old.id} belongs to project {old.project!r}, not {project_slug!r}.",
            f"Resubmit it with project={old.project!r}.",
            "resubmit-project",
            old.project,
        )
    if old.status != CHANGES_REQUESTED:
        return _not_now(
            f"release {old.id} is {old.status}: only a release sent back for changes can be resubmitted.",
            "See its reviews with ck.releases().",
            "resubmit-status",
            old.project,
        )
    if replaced_by is not None:
        return _not_now(
            f"release {old.id} was already resubmitted as release {replaced_by}.",
            f"Resubmit the latest version instead: replaces={replaced_by}.",
            "resubmit-once",
            old.project,
        )
    return Decision(True, f"{caller.name} resubmits release {old.id}.", project=old.project, rule="resubmit")


def decide_review(caller: Caller, release: ReleaseView, decision: str) -> Decision:
    """May ``caller`` review ``release`` now? (What the reviews add up to is ``status_after``.)"""
    if decision not in DECISIONS:
        raise ValidationFailed(f"A review decision is one of {', '.join(DECISIONS)}, not {decision!r}.")
    if not can_check_outputs(caller):
        return _denied(
            f"{caller.name} is not in the {CHECKERS_GROUP} group: only output checkers review releases.",
            "Ask a steward to add you to the checkers group after the output-checking training.",
            "review-checker",
            release.project,
        )
    if caller.name == release.requester:
        return _denied(
            f"{caller.name} asked for release {release.id} and cannot review it (no self-approval).",
            "Two other checkers must review it.",
            "review-self",
            release.project,
        )
    if release.status != PENDING:
        return _not_now(
            f"release {release.id} is {release.status}; only pending releases are reviewed.",
            "A release sent back for changes comes back as a new version to review.",
            "review-status",
            release.project,
        )
    return Decision(
        True,
        f"{caller.name} is a checker and did not ask for release {release.id}.",
        project=release.project,
        rule="review",
    )


def latest_decisions(reviews: list[ReviewView]) -> dict[str, str]:
    """Each checker's latest decision (reviews in the order they were made)."""
    latest: dict[str, str] = {}
    for review in reviews:
        latest[review.checker] = review.decision
    return latest


def approvals(reviews: list[ReviewView], requester: str) -> list[str]:
    """The distinct checkers, other than the requester, whose latest decision is approve."""
    return sorted(c for c, d in latest_decisions(reviews).items() if d == APPROVE and c != requester)


def status_after(reviews: list[ReviewView], requester: str) -> str:
    """The status a pending release has after ``reviews``: one rejection or request for changes ends it;
    ``APPROVALS_NEEDED`` different approving checkers release it; otherwise it stays pending."""
    decisions = latest_decisions([r for r in reviews if r.checker != requester]).values()
    if REJECT in decisions:
        return REJECTED
    if REQUEST_CHANGES in decisions:
        return CHANGES_REQUESTED
    if len(approvals(reviews, requester)) >= APPROVALS_NEEDED:
        return RELEASED
    return PENDING


def decide_download(caller: Caller, release: ReleaseView, project_members: frozenset[str]) -> Decision:
    """May ``caller`` download the files of ``release``? Checkers always (to review them); the project's members
    once it is released; nobody else."""
    if can_check_outputs(caller):
        return Decision(True, f"{caller.name} is an output checker.", project=release.project, rule="download-checker")
    if caller.name not in project_members:
        return _denied(
            f"release {release.id} belongs to project {release.project!r}; {caller.name} is not one of its members.",
            "Released outputs are listed on the public register; ask the project for them.",
            "download-member",
            release.project,
        )
    if release.status != RELEASED:
        return _not_now(
            f"release {release.id} is {release.status}: its files can be downloaded once two checkers "
            f"have approved it.",
            "Follow it with ck.releases().",
            "download-status",
            release.project,
        )
    return Decision(
        True,
        f"{caller.name} is a member of project {release.project!r} and release {release.id} is released.",
        project=release.project,
        rule="download-member",
    )


def _raise_if_refused(decision: Decision, what: str) -> Decision:
    """Raise for a refusal: AccessDenied when the person may not act, GovernanceError when the state forbids it."""
    if decision.allowed:
        return decision
    if decision.details.get("kind") == "state":
        raise GovernanceError(f"{decision.reason} {decision.how_to_get_access}".strip())
    raise AccessDenied(what, decision.reason, decision.how_to_get_access)


def check_can_request(
    caller: Caller, project_slug: str, project: ProjectView | None, today: date | None = None
) -> Decision:
    """``decide_request``, raising for a refusal."""
    return _raise_if_refused(decide_request(caller, project_slug, project, today), f"project {project_slug}")


def check_can_resubmit(caller: Caller, old: ReleaseView, replaced_by: int | None, project_slug: str) -> Decision:
    """``decide_resubmit``, raising for a refusal."""
    return _raise_if_refused(decide_resubmit(caller, old, replaced_by, project_slug), f"release {old.id}")


def check_can_review(caller: Caller, release: ReleaseView, decision: str) -> Decision:
    """``decide_review``, raising for a refusal."""
    return _raise_if_refused(decide_review(caller, release, decision), f"release {release.id}")


def check_can_download(caller: Caller, release: ReleaseView, project_members: frozenset[str]) -> Decision:
    """``decide_download``, raising for a refusal."""
    return _raise_if_refused(decide_download(caller, release, project_members), f"release {release.id}")


def next_step(status: str, approved_by: list[str]) -> str:
    """One sentence for the requester: what happens next."""
    if status == PENDING:
        missing = APPROVALS_NEEDED - len(approved_by)
        return (
            f"Waiting for {missing} more approval{'s' if missing != 1 else ''} from the output checkers "
            f"(approved so far: {', '.join(approved_by) or 'nobody'})."
        )
    if status == RELEASED:
        return "Released: the project's members can download the files with ck.download_release(id, folder)."
    if status == REJECTED:
        return "Rejected: read the checkers' comments; these outputs cannot leave the commons."
    return (
        "Changes requested: read the checkers' comments, change the outputs and resubmit them with "
        "ck.request_release(..., replaces=id)."
    )
