"""`commons propose`, `commons propose-member`, `commons vote`, `commons proposals`: cooperative decisions.

These act as you, through the data-api: set COMMONS_API_TOKEN (an operator makes one with `commons token USER`).
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("propose", help="propose a project; members and stewards vote on it")
    p.add_argument("--title", required=True)
    p.add_argument("--purpose", required=True)
    p.add_argument("--benefit", required=True, help="the public benefit")
    p.add_argument("--dataset", action="append", required=True, help="a dataset it needs (repeat for more)")
    p.add_argument("--member", action="append", help="a member's user name (repeat; default: you)")
    p.add_argument("--end-date", required=True, help="YYYY-MM-DD: the project expires then")
    p.add_argument("--start-date", help="YYYY-MM-DD (default: from approval)")
    p.add_argument("--organisation", help="the proposing organisation (default: yours)")
    p.add_argument("--slug", help="the project's short name (default: from the title)")
    p.set_defaults(handler=propose)
    p = sub.add_parser("propose-member", help="propose adding (or removing) a project member; it goes to a vote")
    p.add_argument("project")
    p.add_argument("user")
    p.add_argument("--organisation", default="")
    p.add_argument("--remove", action="store_true")
    p.add_argument("--reason", default="")
    p.set_defaults(handler=propose_member)
    p = sub.add_parser("vote", help="vote on a proposal (its id) or a project's proposal (its short name)")
    p.add_argument("proposal", help="proposal id or project short name")
    p.add_argument("choice", choices=["approve", "reject", "abstain"])
    p.add_argument("--comment", default="", help="public, on the register")
    p.set_defaults(handler=vote)
    p = sub.add_parser("proposals", help="proposals, their votes and where they stand")
    p.add_argument("--status", choices=["open", "approved", "rejected", "lapsed"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=proposals)


def _show(result: dict) -> None:
    counts = result["counts"]
    print(
        f"Proposal {result['id']} ({result['kind']}, project {result['project']}): {result['status']}. "
        f"{counts['approve']} approve, {counts['reject']} reject, {counts['abstain']} abstain. {result['standing']}"
    )


def propose(args) -> int:
    from commons_kernel import governance

    result = governance.propose_project(
        args.title,
        args.purpose,
        args.benefit,
        args.dataset,
        args.end_date,
        members=args.member,
        start_date=args.start_date,
        organisation=args.organisation,
        slug=args.slug,
    )
    _show(result)
    return 0


def propose_member(args) -> int:
    from commons_kernel import governance

    _show(
        governance.propose_member(
            args.project, args.user, organisation=args.organisation, remove=args.remove, reason=args.reason
        )
    )
    return 0


def vote(args) -> int:
    from commons_kernel import governance

    _show(governance.vote(args.proposal, args.choice, args.comment))
    return 0


def proposals(args) -> int:
    from commons_kernel import governance

    frame = governance.proposals(args.status)
    if args.json:
        print(frame.to_json(orient="records", date_format="iso", indent=2))
        return 0
    if frame.empty:
        print("No proposals.")
        return 0
    for row in frame.to_dict("records"):
        member = f" {row['member']}" if row.get("member") else ""
        print(f"{row['id']:>5}  {row['project']:<32} {row['kind']}{member:<12} {row['status']:<9} {row['standing']}")
    return 0
