"""Pydantic models: the single source of truth for every shape refarch reads or writes."""

from .architecture import Architecture, MachineDifference, ServiceDifference
from .catalog import *  # noqa: F403
from .catalog import __all__ as _catalog_all
from .common import LEVELS, Disagreement, Level, Outcome, minor_of, version_key
from .requirements import ExceptionPolicy, ExceptionRecord, ExceptionRequest, Requirements
from .sizing import SizingData, SizingInputs
from .upgrades import *  # noqa: F403
from .upgrades import __all__ as _upgrades_all

__all__ = [*_catalog_all, "Architecture", "MachineDifference", "ServiceDifference", "LEVELS", "Disagreement", "Level", "Outcome", "minor_of", "version_key"]
__all__ += _upgrades_all
__all__ += ["SizingData", "SizingInputs"]
__all__ += ["ExceptionPolicy", "ExceptionRecord", "ExceptionRequest", "Requirements"]


def extra_schemas() -> dict[str, type]:
    """Schemas for documents refarch reads besides catalog files; other model modules add theirs here."""
    from .answers import MatrixAnswer, MigratePlan, UpgradePlan
    from .deploy import ChartValues, ComposeFiles, ConfigFile, DeployKeys
    from .report import CheckRun, Triage
    from .sizing import SizingAnswer

    return {
        "matrix-answer": MatrixAnswer,
        "upgrade-plan": UpgradePlan,
        "migration-plan": MigratePlan,
        "requirements": Requirements,
        "exception-request": ExceptionRequest,
        "exception-record": ExceptionRecord,
        "check-report": CheckRun,
        "exception-triage": Triage,
        "sizing-inputs": SizingInputs,
        "sizing-answer": SizingAnswer,
        "chart-values": ChartValues,
        "compose-files": ComposeFiles,
        "deploy-keys": DeployKeys,
        "config-file": ConfigFile,
    }
