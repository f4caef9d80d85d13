"""The exception process: expiry on both sides of the boundary (UTC), waivers in checks, request, triage and grant."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import Result

from derived import HELM_BEST_EFFORT, HELM_NOT_OFFERED
from refarch.checking import check, exception_state
from refarch.cli import exception as exception_cli
from refarch.exceptions import grant, new_request, triage
from refarch.loading import Catalog, read_document
from refarch.models import ExceptionRecord, ExceptionRequest, Requirements
from refarch.models.requirements import Answers
from refarch.problems import InputError
from refarch.records import read_records, write_record
from refarch.render.exceptions import record_yaml, request_yaml

Run = Callable[..., Result]
TODAY = dt.date(2026, 11, 27)

REQUIREMENTS: dict[str, Any] = {
    "customer": "Acme Corp",
    "version": "7.7",
    "deployment": {"method": "helm", "platform": "eks", "platform_version": "1.29", "architecture": "amd64"},
    "services": {"postgres": {"provider": "aws-rds", "version": "16"}},
    "options": ["private-registry", HELM_NOT_OFFERED],  # Helm does not offer it (exception possible)
}
WAIVER = {"rule_id": "option.support", "path": "options[1]", "requested": HELM_NOT_OFFERED}
COMPLETE = {
    "deal_value_usd": 300000,
    "professional_services": "yes",
    "professional_services_capacity": "Two PS engineers in January",
    "productize": "no",
    "owner": "Acme platform team",
    "strategic_alignment": "Large regulated customer on the recommended method.",
    "justification": "Their security policy requires network policies on every namespace.",
    "requested_duration_days": 180,
}


def requirements(**changes: Any) -> Requirements:
    data = json.loads(json.dumps(REQUIREMENTS))
    data.update(changes)
    return Requirements.model_validate(data)


def record(
    created: dt.date = TODAY, expires: dt.date = dt.date(2027, 6, 1), customer: str = "Acme Corp", covers: list[dict[str, Any]] | None = None
) -> ExceptionRecord:
    waivers = covers or [WAIVER]
    return ExceptionRecord.model_validate(
        {
            "id": f"acme-{created:%Y%m%d}-{expires:%Y%m%d}",
            "customer": customer,
            "rule_ids": sorted({w["rule_id"] for w in waivers}),
            "covers": waivers,
            "owner": "Acme platform team",
            "approved_by": "Dana Delivery",
            "justification": "needed",
            "created": created,
            "expires": expires,
            "requirements": REQUIREMENTS,
        }
    )


# --- expiry: one function, both sides of the boundary --------------------------------------

EXPIRES = dt.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("as_of", "state"),
    [
        (dt.date(2026, 11, 26), "not-yet-valid"),  # the day before it was granted
        (TODAY, "active"),  # granted today: active at once
        (EXPIRES - dt.timedelta(days=31), "active"),
        (EXPIRES - dt.timedelta(days=30), "expiring"),  # warn 30 days ahead
        (EXPIRES - dt.timedelta(days=1), "expiring"),  # the last day it waives (through 23:59:59 UTC)
        (EXPIRES, "expired"),  # from 00:00 UTC on the expiry date
        (EXPIRES + dt.timedelta(days=1), "expired"),
    ],
)
def test_expiry_boundary_is_the_start_of_the_expiry_date_utc(as_of: dt.date, state: str) -> None:
    assert exception_state(record(TODAY, EXPIRES), as_of, warn_days=30) == state


def test_the_cli_default_date_is_utc() -> None:
    assert exception_cli.utc_today() == dt.datetime.now(dt.UTC).date()


# --- records in checks ------------------------------------------------------------------------


def _finding(report: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in report["findings"] if f["rule_id"] == "option.support" and f["path"] == "options[1]")


def test_an_active_record_waives_and_is_counted(catalog: Catalog) -> None:
    report = check(catalog, requirements(), TODAY, [record()])
    finding = _finding(report)
    assert finding["outcome"] == "waived" and finding["exception_id"] == record().id
    assert record().id in finding["message"]
    assert report["verdict"] == "supported-with-exception"
    assert report["tally"]["waived"] == 1 and report["tally"]["failed"] == 0
    assert report["notices"] == []


@pytest.mark.parametrize(
    ("as_of", "outcome", "verdict", "notice"),
    [
        (EXPIRES - dt.timedelta(days=1), "waived", "supported-with-exception", "expiring"),
        (EXPIRES, "fail", "exception-required", "expired"),
    ],
)
def test_expiry_in_checks_on_both_sides_of_the_boundary(catalog: Catalog, as_of: dt.date, outcome: str, verdict: str, notice: str) -> None:
    report = check(catalog, requirements(), as_of, [record(TODAY, EXPIRES)])
    finding = _finding(report)
    assert finding["outcome"] == outcome and report["verdict"] == verdict
    assert [n["kind"] for n in report["notices"]] == [notice]
    if outcome == "fail":
        assert finding["exception_id"] == record(TODAY, EXPIRES).id
        assert f"expired on {EXPIRES}" in finding["message"]


def test_a_record_that_matches_nothing_is_stale(catalog: Catalog) -> None:
    other = record(covers=[{"rule_id": "option.support", "path": "options[1]", "requested": HELM_BEST_EFFORT}])
    report = check(catalog, requirements(), TODAY, [other])
    assert _finding(report)["outcome"] == "fail"
    assert [(n["kind"], n["severity"]) for n in report["notices"]] == [("stale", "info")]


def test_another_customers_records_are_ignored(catalog: Catalog) -> None:
    report = check(catalog, requirements(), TODAY, [record(customer="Globex")])
    assert _finding(report)["outcome"] == "fail" and report["notices"] == []


def test_customer_names_match_whatever_their_case_and_spacing(catalog: Catalog) -> None:
    assert _finding(check(catalog, requirements(), TODAY, [record(customer="  acme   corp ")]))["outcome"] == "waived"


def test_no_record_lifts_a_hard_limit(catalog: Catalog) -> None:
    hard = {"rule_id": "service.version", "path": "services.postgres.version", "requested": "15"}
    report = check(catalog, requirements(services={"postgres": {"provider": "aws-rds", "version": "15"}}), TODAY, [record(covers=[hard])])
    assert report["verdict"] == "unsupported"
    assert [n["kind"] for n in report["notices"]] == ["stale"]


def test_a_record_not_yet_valid_is_not_applied(catalog: Catalog) -> None:
    report = check(catalog, requirements(), TODAY - dt.timedelta(days=1), [record()])
    assert _finding(report)["outcome"] == "fail" and [n["kind"] for n in report["notices"]] == ["not-yet-valid"]


@pytest.fixture
def records_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "exceptions"
    write_record(folder, record(TODAY, EXPIRES))
    return folder


@pytest.fixture
def requirements_file(tmp_path: Path) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(REQUIREMENTS, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("as_of", "flags", "code"),
    [
        ("2026-11-27", [], 0),  # active: supported with an exception
        ("2026-11-27", ["--fail-on-warn"], 0),
        ("2026-12-31", [], 0),  # last day
        ("2026-12-31", ["--fail-on-warn"], 1),  # the expiring warning fails with --fail-on-warn
        ("2027-01-01", [], 1),  # expired: the exception is required again
    ],
)
def test_cli_honours_records(run: Run, requirements_file: Path, records_dir: Path, as_of: str, flags: list[str], code: int) -> None:
    result = run("check", str(requirements_file), "--exceptions", str(records_dir), "--as-of", as_of, *flags)
    assert result.exit_code == code, result.output
    assert "1 waived" in result.stdout if code == 0 and not flags else True


def test_github_annotations_include_record_notices(run: Run, requirements_file: Path, records_dir: Path) -> None:
    result = run("check", str(requirements_file), "--exceptions", str(records_dir), "--as-of", "2026-12-31", "--format", "github")
    assert any(line.startswith("::warning ") and "expires on 2027-01-01" in line for line in result.stdout.splitlines())
    assert any(line.startswith("::notice ") and "option.support" in line for line in result.stdout.splitlines())


def test_a_broken_record_exits_2_with_file_and_line(run: Run, requirements_file: Path, records_dir: Path) -> None:
    path = next(records_dir.glob("*.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("approved_by:", "aproved_by:"), encoding="utf-8")
    result = run("check", str(requirements_file), "--exceptions", str(records_dir))
    assert result.exit_code == 2 and result.stdout == ""
    line = (
        path.read_text(encoding="utf-8").splitlines().index(next(x for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("aproved_by:"))) + 1
    )
    assert f"{path}:{line}: aproved_by: unknown key 'aproved_by'; did you mean 'approved_by'?" in result.stderr


def test_a_record_whose_id_differs_from_its_file_name_is_refused(records_dir: Path, catalog: Catalog) -> None:
    path = next(records_dir.glob("*.yaml"))
    path.rename(records_dir / "renamed.yaml")
    with pytest.raises(InputError, match="does not match the file name"):
        read_records(records_dir, catalog.exception_policy)


def test_a_missing_records_folder_exits_2(run: Run, requirements_file: Path, tmp_path: Path) -> None:
    result = run("check", str(requirements_file), "--exceptions", str(tmp_path / "none"))
    assert result.exit_code == 2 and "no such folder of exception records" in result.stderr


# --- requests ---------------------------------------------------------------------------------


def test_a_request_lists_every_failure_and_round_trips(catalog: Catalog, tmp_path: Path) -> None:
    request, report = new_request(catalog, requirements(deployment={**REQUIREMENTS["deployment"], "architecture": "arm64"}), TODAY, "SUP-1")
    failed = [(f["rule_id"], f["path"]) for f in report["findings"] if f["outcome"] == "fail"]
    assert [(d.rule_id, d.path) for d in request.deviations] == failed and len(failed) == 2
    path = tmp_path / "request.yaml"
    path.write_text(request_yaml(request), encoding="utf-8")
    again, _ = read_document(path, ExceptionRequest, "request.yaml")
    assert again == request


def test_exception_new_writes_yaml_and_markdown_and_never_overwrites(run: Run, requirements_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "req.yaml"
    result = run("exception", "new", str(requirements_file), "-o", str(out), "--as-of", "2026-11-27", "--ticket", "SUP-7")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "# Q4. What is the value of the deal" in text and "deal_value_usd: null" in text
    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    assert markdown.startswith("## Exception request: Acme Corp") and "`option.support`" in markdown
    again = run("exception", "new", str(requirements_file), "-o", str(out))
    assert again.exit_code == 2
    assert again.stderr.splitlines() == [
        f"{out.with_suffix('.md')}: file exists; pass --force to replace it, or pick another name",
        f"{out}: file exists; pass --force to replace it, or pick another name",
        "2 problems found",
    ]
    assert out.read_text(encoding="utf-8") == text
    forced = run("exception", "new", str(requirements_file), "-o", str(out), "--as-of", "2026-11-27", "--ticket", "SUP-8", "--force")
    assert forced.exit_code == 0 and "SUP-8" in out.read_text(encoding="utf-8")


def test_exception_new_for_supported_requirements_writes_nothing(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump({**REQUIREMENTS, "options": ["private-registry"]}), encoding="utf-8")
    result = run("exception", "new", str(path), "-o", str(tmp_path / "req.yaml"), "--as-of", "2026-11-27")
    assert result.exit_code == 0 and "no exception is needed" in result.stderr
    assert not (tmp_path / "req.yaml").exists()


def test_exception_new_prints_yaml_without_output(run: Run, requirements_file: Path) -> None:
    result = run("exception", "new", str(requirements_file), "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert ExceptionRequest.model_validate(yaml.safe_load(result.stdout)).customer == "Acme Corp"


# --- triage ---------------------------------------------------------------------------------


def request_for(catalog: Catalog, answers: dict[str, Any], **changes: Any) -> ExceptionRequest:
    request, _ = new_request(catalog, requirements(**changes), TODAY)
    return request.model_copy(update={"answers": Answers.model_validate(answers)})


ARM = {"deployment": {**REQUIREMENTS["deployment"], "architecture": "arm64"}, "options": ["private-registry"]}
OLD = {"version": "5.4", "options": ["private-registry"]}


@pytest.mark.parametrize(
    ("name", "changes", "answers", "recommendation", "code"),
    [
        ("incomplete", {}, {}, "answer-open-questions", "open-question"),
        ("professional services can do it", {}, COMPLETE, "approve-with-professional-services", "professional-services"),
        ("professional services cannot", {}, {**COMPLETE, "professional_services": "no"}, "engineering-review", "professional-services"),
        ("too small for engineering", {}, {**COMPLETE, "professional_services": "no", "deal_value_usd": 100000}, "decline", "deal-value"),
        ("too small at all", {}, {**COMPLETE, "deal_value_usd": 10000}, "decline", "deal-value"),
        ("needs the product", ARM, COMPLETE, "engineering-review", "engineering"),
        ("an old release for a while", OLD, COMPLETE, "approve", "delivery"),
        ("a hard limit", {"services": {"postgres": {"provider": "aws-rds", "version": "15"}}}, COMPLETE, "decline", "hard-limit"),
        (
            "a non-goal",
            {"version": "6.3", "deployment": {"method": "single-container", "platform": "linux"}, "services": {}, "options": []},
            COMPLETE,
            "decline",
            "non-goal",
        ),
    ],
)
def test_triage_recommends_from_the_policy(
    catalog: Catalog, name: str, changes: dict[str, Any], answers: dict[str, Any], recommendation: str, code: str
) -> None:
    result = triage(catalog, request_for(catalog, answers, **changes), TODAY)
    assert result["recommendation"] == recommendation
    assert code in [r["code"] for r in result["reasons"]]
    assert result["complete"] == (name != "incomplete")


def test_triage_rechecks_against_the_current_catalog(catalog: Catalog) -> None:
    request = request_for(catalog, COMPLETE)
    fixed = request.model_copy(update={"requirements": requirements(options=["private-registry"])})
    result = triage(catalog, fixed, TODAY)
    assert result["recommendation"] == "decline" and "not-needed" in [r["code"] for r in result["reasons"]]
    assert result["resolved"] == [f"option.support at options[1] = {HELM_NOT_OFFERED}"] and result["new"] == []


def test_triage_caps_the_duration(catalog: Catalog) -> None:
    result = triage(catalog, request_for(catalog, {**COMPLETE, "requested_duration_days": 400}), TODAY)
    assert "duration" in [r["code"] for r in result["reasons"]]
    assert result["max_duration_days"] == catalog.exception_policy.max_expiry_days


@pytest.fixture
def filled_request(catalog: Catalog, tmp_path: Path) -> Path:
    path = tmp_path / "request.yaml"
    path.write_text(request_yaml(request_for(catalog, COMPLETE)), encoding="utf-8")
    return path


def test_triage_cli_formats(run: Run, filled_request: Path, repo_root: Path) -> None:
    table = run("exception", "triage", str(filled_request), "--as-of", "2026-11-27")
    assert table.exit_code == 0 and table.stdout.startswith("Recommendation: approve-with-professional-services")
    markdown = run("exception", "triage", str(filled_request), "--as-of", "2026-11-27", "--format", "markdown")
    assert markdown.stdout.startswith("## Recommendation: approve-with-professional-services") and "### Reasons" in markdown.stdout
    data = json.loads(run("exception", "triage", str(filled_request), "--as-of", "2026-11-27", "--format", "json").stdout)
    jsonschema.validate(data, json.loads((repo_root / "catalog/schema/exception-triage.schema.json").read_text(encoding="utf-8")))


def test_triage_of_an_incomplete_request_exits_1(run: Run, requirements_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "req.yaml"
    run("exception", "new", str(requirements_file), "-o", str(out), "--as-of", "2026-11-27")
    result = run("exception", "triage", str(out), "--as-of", "2026-11-27")
    assert result.exit_code == 1 and "incomplete" in result.stdout


def test_triage_locates_unknown_ids_inside_the_request(run: Run, filled_request: Path) -> None:
    text = filled_request.read_text(encoding="utf-8").replace(f"- {HELM_NOT_OFFERED}", "- netwrk-policy")
    filled_request.write_text(text, encoding="utf-8")
    result = run("exception", "triage", str(filled_request))
    line = text.splitlines().index("  - netwrk-policy") + 1
    assert result.exit_code == 2 and f"{filled_request}:{line}: requirements.options[1]: unknown option 'netwrk-policy'" in result.stderr


# --- grant ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        (TODAY, "is not after today"),
        (TODAY + dt.timedelta(days=366), "days ahead; the policy allows at most 2027-11-27"),
    ],
)
def test_grant_keeps_expiry_within_the_policy(catalog: Catalog, expires: dt.date, message: str) -> None:
    with pytest.raises(InputError, match=message):
        grant(catalog, request_for(catalog, COMPLETE), expires=expires, approved_by="Dana", today=TODAY)


def test_grant_allows_exactly_the_horizon(catalog: Catalog) -> None:
    horizon = TODAY + dt.timedelta(days=catalog.exception_policy.max_expiry_days)
    assert grant(catalog, request_for(catalog, COMPLETE), expires=horizon, approved_by="Dana", today=TODAY).expires == horizon


def test_grant_needs_a_justification(catalog: Catalog) -> None:
    request = request_for(catalog, {**COMPLETE, "justification": ""})
    with pytest.raises(InputError, match="the request has no justification"):
        grant(catalog, request, expires=EXPIRES, approved_by="Dana", today=TODAY)
    assert grant(catalog, request, expires=EXPIRES, approved_by="Dana", today=TODAY, justification="CTO sign-off").justification == "CTO sign-off"


def test_grant_covers_only_what_an_exception_may_lift(catalog: Catalog) -> None:
    request = request_for(catalog, COMPLETE, services={"postgres": {"provider": "aws-rds", "version": "15"}})
    granted = grant(catalog, request, expires=EXPIRES, approved_by="Dana", today=TODAY)
    assert [w.rule_id for w in granted.covers] == ["option.support"]


def test_grant_cli_writes_a_record_once(
    run: Run, filled_request: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path, catalog: Catalog
) -> None:
    monkeypatch.setattr(exception_cli, "utc_today", lambda: TODAY)
    folder = tmp_path / "records"
    args = ("exception", "grant", str(filled_request), "--expires", "2027-01-01", "--approved-by", "Dana Delivery", "--dir", str(folder))
    result = run(*args)
    assert result.exit_code == 0, result.output
    [path] = folder.glob("*.yaml")
    text = path.read_text(encoding="utf-8")
    jsonschema.validate(yaml.safe_load(text), json.loads((repo_root / "catalog/schema/exception-record.schema.json").read_text(encoding="utf-8")))
    [loaded] = read_records(folder, catalog.exception_policy)
    assert loaded.rule_ids == ["option.support"] and loaded.approved_by == "Dana Delivery" and loaded.created == TODAY
    again = run(*args)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert path.read_text(encoding="utf-8") == text and len(list(folder.iterdir())) == 1


def test_grant_cli_refuses_a_date_that_is_not_a_date(run: Run, filled_request: Path, tmp_path: Path) -> None:
    result = run("exception", "grant", str(filled_request), "--expires", "next year", "--approved-by", "Dana", "--dir", str(tmp_path))
    assert result.exit_code == 2 and "--expires: expected a date like" in result.stderr


def test_the_whole_process_from_request_to_waiver(run: Run, requirements_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exception_cli, "utc_today", lambda: TODAY)
    request = tmp_path / "req.yaml"
    assert run("exception", "new", str(requirements_file), "-o", str(request), "--as-of", "2026-11-27").exit_code == 0
    data = yaml.safe_load(request.read_text(encoding="utf-8"))
    data["answers"] = COMPLETE
    request.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert run("exception", "triage", str(request), "--as-of", "2026-11-27").exit_code == 0
    folder = tmp_path / "records"
    assert run("exception", "grant", str(request), "--expires", "2027-03-01", "--approved-by", "Dana", "--dir", str(folder)).exit_code == 0
    before = run("check", str(requirements_file), "--as-of", "2026-11-27")
    after = run("check", str(requirements_file), "--as-of", "2026-11-27", "--exceptions", str(folder), "--format", "json")
    assert before.exit_code == 1 and after.exit_code == 0
    assert json.loads(after.stdout)["verdict"] == "supported-with-exception"


def test_records_are_never_rendered_into_the_site(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path) -> None:
    """A records folder beside the site does not leak into any generated page."""
    monkeypatch.chdir(tmp_path)
    secret = record(customer="Initech Secret Customer")
    write_record(tmp_path / "exceptions", secret)
    (tmp_path / "site").mkdir()
    result = run("site", "generate", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    pages = [p for p in (tmp_path / "site").rglob("*") if p.is_file()]
    assert pages and not any("Initech" in p.read_text(encoding="utf-8", errors="replace") for p in pages)
    assert "Initech" in record_yaml(secret)  # the check above would see it if it were there
