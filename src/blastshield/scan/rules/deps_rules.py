"""Dependency rules: package names that imitate popular ones or do not exist ("slopsquatting")."""

from __future__ import annotations

from blastshield.scan.finding import Confidence, Severity
from blastshield.scan.registry import declare

ANY = "any"

DEP_TYPOSQUAT = declare(
    "BS-DEP-TYPOSQUAT", 1357, Severity.HIGH, Confidence.MEDIUM,
    "dependency name imitates a popular package (typo, separator or prefix/suffix confusion)",
    "check the exact name on the registry; depend on the popular package you meant, "
    "or suppress with a reason if this one is really intended", ANY)
DEP_UNKNOWN = declare(
    "BS-DEP-UNKNOWN", 1357, Severity.LOW, Confidence.LOW,
    "dependency is not among the most downloaded packages of its registry",
    "make sure the package exists, is the one you mean and is maintained "
    "(run the scan with --online to ask the registry)", ANY)
DEP_MISSING = declare(
    "BS-DEP-MISSING", 1357, Severity.HIGH, Confidence.HIGH,
    "dependency does not exist on its registry (an invented name anyone could register)",
    "remove it or replace it with a real package; never install a name an assistant made up", ANY)
DEP_NEW = declare(
    "BS-DEP-NEW", 1357, Severity.MEDIUM, Confidence.MEDIUM,
    "dependency was first published very recently",
    "review the package, its author and its code before depending on it; prefer an established one",
    ANY)
