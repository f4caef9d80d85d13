"""The exception process: write a request, triage it against the policy, grant a record. Pure: no I/O.

The policy (catalog/exception-policy.yaml) holds every threshold and route; this module only applies it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING, Any

from .checking import SCHEMA_VERSION, check
from .models.requirements import Answers, Deviation, ExceptionPolicy, ExceptionRecord, ExceptionRequest, Requirements, Waiver
from .problems import InputError, Problem

if TYPE_CHECKING:
    from .loading import Catalog
    from .yamlfile import LineMap

RECOMMENDATIONS = ("answer-open-questions", "decline", "approve-with-professional-services", "engineering-review", "approve")

QUESTIONS: dict[str, str] = {
    "professional_services": "Can Customer Engineering's professional services do the work (yes), or does it need official support in the product (no)?",
    "professional_services_capacity": "Who in professional services would do it, and when?",
    "productize": "Will anything done as custom work be folded into the product later?",
    "owner": "Meanwhile (or if not), who takes responsibility for supporting it?",
    "deal_value_usd": "What is the value of the deal, or of the expected expansion, in US dollars?",
    "strategic_alignment": "How is this aligned with the strategic vision for the product and the business?",
    "justification": "Why does the customer need this deviation?",
    "requested_duration_days": "For how many days is the exception needed?",
}
"""The exception policy's questions, one per answer field, in the order a request lists them."""


def new_request(catalog: Catalog, requirements: Requirements, as_of: dt.date, ticket: str = "") -> tuple[ExceptionRequest, dict[str, Any]]:
    """A request listing every failed finding of `requirements` on `as_of`, with the questions still to answer; and the check report."""
    report = check(catalog, requirements, as_of)
    deviations = [_deviation(f) for f in report["findings"] if f["outcome"] == "fail"]
    request = ExceptionRequest(
        customer=requirements.customer, created=as_of, ticket=ticket, requirements=requirements, deviations=deviations, answers=Answers()
    )
    return request, report


def _deviation(finding: dict[str, Any]) -> Deviation:
    return Deviation(
        rule_id=finding["rule_id"],
        path=finding["path"],
        requested=finding["requested"],
        level=finding["level"],
        message=finding["message"],
        alternatives=finding["alternatives"],
        exception_allowed=finding["exception_allowed"],
    )


def missing_answers(answers: Answers) -> list[str]:
    """Answer fields a triage needs that are still empty."""
    missing = [name for name in QUESTIONS if name != "professional_services_capacity" and getattr(answers, name) in (None, "")]
    if answers.professional_services == "yes" and not answers.professional_services_capacity:
        missing.append("professional_services_capacity")
    return sorted(missing, key=list(QUESTIONS).index)


def _key(item: Any) -> str:
    get = item.get if isinstance(item, dict) else lambda name: getattr(item, name)
    return f"{get('rule_id')} at {get('path')} = {get('requested')}"


def triage(catalog: Catalog, request: ExceptionRequest, as_of: dt.date, file: str | None = None, lines: LineMap | None = None) -> dict[str, Any]:
    """Completeness, a re-check against the current catalog, and a recommendation with its reasons (see models/report.py Triage).

    Raises InputError, located by `lines`, when the request's requirements name ids the catalog does not know.
    """
    policy = catalog.exception_policy
    answers = request.answers
    report = check(catalog, request.requirements, as_of, file=file, lines=lines, prefix=("requirements",))
    current = [f for f in report["findings"] if f["outcome"] == "fail"]
    was = {_key(d) for d in request.deviations}
    now = {_key(f) for f in current}
    missing = missing_answers(answers)
    teams = sorted({policy.team_for(f["rule_id"]) for f in current})
    blockers: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []

    def reason(into: list[dict[str, str]], code: str, message: str) -> None:
        into.append({"code": code, "message": message})

    # Unanswered questions are not a reason to decline: they are what to answer before the request can be judged.
    open_questions = [{"code": "open-question", "message": f"{QUESTIONS[name]} (answers.{name})"} for name in missing]
    if not current:
        reason(blockers, "not-needed", "The current catalog finds no failure in these requirements, so no exception is needed.")
    for finding in current:
        if not finding["exception_allowed"]:
            reason(blockers, "hard-limit", f"{finding['rule_id']} ({finding['path']}): no exception can lift this. {finding['message']}")
    new_install = request.requirements.deployment.new_install
    for goal in policy.non_goals:
        hits = [f for f in current if f["rule_id"] == goal.rule_id]
        if hits and (new_install or not goal.new_installs_only):
            reason(blockers, "non-goal", f"{goal.rule_id} ({hits[0]['path']}) goes against the product strategy: {goal.why}")
    deal = answers.deal_value_usd
    thresholds = policy.deal_value
    if deal is not None and deal < thresholds.minimum_usd:
        reason(blockers, "deal-value", f"The deal value (${deal:,.0f}) is below the policy minimum of ${thresholds.minimum_usd:,.0f}.")
    needs_engineering = "engineering" in teams or ("professional-services" in teams and answers.professional_services != "yes")
    if needs_engineering and deal is not None and thresholds.minimum_usd <= deal < thresholds.engineering_review_minimum_usd:
        reason(
            blockers,
            "deal-value",
            f"The deviations need engineering, and the deal value (${deal:,.0f}) is below the ${thresholds.engineering_review_minimum_usd:,.0f} the policy asks for engineering work.",
        )

    if blockers:
        recommendation = "decline"
    elif open_questions:
        recommendation = "answer-open-questions"
        notes.extend(open_questions)
    elif "engineering" in teams:
        recommendation = "engineering-review"
        for finding in current:
            if policy.team_for(finding["rule_id"]) == "engineering":
                reason(notes, "engineering", f"{finding['rule_id']} ({finding['path']}) needs support in the product: engineering must review it.")
    elif "professional-services" in teams:
        if answers.professional_services == "yes":
            recommendation = "approve-with-professional-services"
            reason(notes, "professional-services", f"Professional services can do the work: {answers.professional_services_capacity}.")
        else:
            recommendation = "engineering-review"
            reason(
                notes,
                "professional-services",
                "The deviations are professional-services work, but the request says professional services cannot do it, so engineering must review it.",
            )
    else:
        recommendation = "approve"
        reason(notes, "delivery", "Every deviation is one the Delivery team can approve on its own (see catalog/exception-policy.yaml routes).")
    if recommendation not in ("decline", "answer-open-questions"):
        if answers.productize == "no":
            reason(
                notes, "support-owner", f"The custom work will not become part of the product; {answers.owner} supports it for as long as the exception lasts."
            )
        elif answers.productize == "yes":
            reason(notes, "productize", f"The work is to be folded into the product later; {answers.owner} supports it until then.")
        duration = answers.requested_duration_days or 0
        if duration > policy.max_expiry_days:
            reason(
                notes,
                "duration",
                f"The requested {duration} days are more than the {policy.max_expiry_days} a grant may last; grant at most {policy.max_expiry_days} days and renew with a new request.",
            )
    resolved = sorted(was - now)
    new = sorted(now - was)
    if resolved:
        reason(notes, "resolved", f"{len(resolved)} deviation{'s' if len(resolved) != 1 else ''} in the request no longer fail with the current catalog.")
    if new:
        reason(
            notes,
            "new",
            f"{len(new)} failure{'s' if len(new) != 1 else ''} not in the request: the catalog has moved or the requirements changed; write a new request.",
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "file": file,
        "customer": request.customer,
        "ticket": request.ticket,
        "as_of": as_of.isoformat(),
        "complete": not missing,
        "missing": missing,
        "recommendation": recommendation,
        "reasons": blockers + notes,
        "teams": teams,
        "deviations": current,
        "resolved": resolved,
        "new": new,
        "max_duration_days": policy.max_expiry_days,
        "report": report,
    }


def record_problems(policy: ExceptionPolicy, record: ExceptionRecord, file: str, lines: LineMap) -> list[Problem]:
    """What makes a granted record one the policy would not have granted: checked on every read, since a record is a file anyone can edit."""
    latest = record.created + dt.timedelta(days=policy.max_expiry_days)
    if record.expires > latest:
        return [
            Problem(
                file,
                lines.line_for(("expires",)),
                "expires",
                f"{record.expires} is more than {policy.max_expiry_days} days after the grant ({record.created}); the policy allows at most {latest} "
                "(catalog/exception-policy.yaml max_expiry_days): the record was edited after it was granted, so it is not honoured; grant a new one",
            )
        ]
    return []


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40].strip("-") or "customer"


def grant(
    catalog: Catalog,
    request: ExceptionRequest,
    *,
    expires: dt.date,
    approved_by: str,
    today: dt.date,
    justification: str | None = None,
    file: str = "<request>",
) -> ExceptionRecord:
    """A granted record covering the request's deviations that allow an exception, valid from `today` (UTC) until `expires`.

    Raises InputError when the expiry is not within the policy's horizon, or the justification, owner or approver is missing.
    """
    policy = catalog.exception_policy
    problems: list[Problem] = []
    latest = today + dt.timedelta(days=policy.max_expiry_days)
    if expires <= today:
        problems.append(Problem("<arguments>", None, "--expires", f"{expires} is not after today ({today}, UTC); give a date in the future, at most {latest}"))
    elif expires > latest:
        problems.append(
            Problem(
                "<arguments>",
                None,
                "--expires",
                f"{expires} is more than {policy.max_expiry_days} days ahead; the policy allows at most {latest} (catalog/exception-policy.yaml max_expiry_days)",
            )
        )
    if not approved_by.strip():
        problems.append(Problem("<arguments>", None, "--approved-by", "give the name of the person who approved the exception"))
    reason = (justification or "").strip() or request.answers.justification.strip()
    if not reason:
        problems.append(
            Problem(file, None, "answers.justification", "the request has no justification; fill answers.justification or pass --justification TEXT")
        )
    if not request.answers.owner.strip():
        problems.append(Problem(file, None, "answers.owner", "the request names no owner; fill answers.owner with who supports the deviation meanwhile"))
    covered = [d for d in request.deviations if d.exception_allowed]
    if not covered:
        hard = ", ".join(sorted({d.rule_id for d in request.deviations})) or "none"
        problems.append(Problem(file, None, "deviations", f"nothing to grant: the request lists no deviation that an exception may lift (deviations: {hard})"))
    if problems:
        raise InputError(problems)
    covers = sorted({(d.rule_id, d.path, d.requested) for d in covered}, key=lambda k: (k[0], k[1], k[2] or ""))
    digest = hashlib.sha256(repr((request.customer, covers, expires.isoformat(), approved_by.strip(), today.isoformat())).encode()).hexdigest()[:8]
    return ExceptionRecord(
        id=f"{_slug(request.customer)}-{today:%Y%m%d}-{digest}",
        customer=request.customer,
        rule_ids=sorted({rule for rule, _, _ in covers}),
        covers=[Waiver(rule_id=rule, path=path, requested=requested) for rule, path, requested in covers],
        owner=request.answers.owner.strip(),
        approved_by=approved_by.strip(),
        justification=reason,
        ticket=request.ticket,
        created=today,
        expires=expires,
        requirements=request.requirements,
    )
