"""JUnit XML: one test case per decision record, for CI systems that chart test results.

Invalidated records are failures, bad input is an error, reviews pass with their findings
in system-out (or fail with --strict); records without a block and skipped records are
skipped test cases; files that are not ADRs are left out. No timestamps: stable bytes.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from makebuy.check import DecisionReport

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids even as references (a control character in an ADR title)."""


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 forbids shown as a visible `\\xNN` escape."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(report: DecisionReport, *, width: int = 100, color: bool = False) -> str:
    """The report as one <testsuite> inside <testsuites>."""
    rows = [r for r in report.records if r.outcome != "not-adr"]
    failures = sum(
        r.verdict == "invalidated" or (report.strict and r.verdict == "review") for r in rows
    )
    errors = sum(r.verdict == "error" for r in rows)
    skipped = sum(r.outcome in {"not-checked", "skipped"} for r in rows)
    suites = ET.Element("testsuites", name="makebuy check")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="makebuy check",
        tests=str(len(rows)),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
    )
    for r in rows:
        case = ET.SubElement(suite, "testcase", classname="makebuy.check", name=r.path)
        text = "\n".join(
            f"{f.severity}: {f.code}: " + (f"line {f.line}: " if f.line else "") + f.message
            for f in r.findings
        )
        if r.outcome != "checked":
            ET.SubElement(case, "skipped", message=r.note or r.outcome)
        elif r.verdict == "error":
            ET.SubElement(case, "error", message="bad input", type="error").text = text
        elif r.verdict == "invalidated" or (report.strict and r.verdict == "review"):
            ET.SubElement(
                case, "failure", message=f"decision {r.verdict}", type=r.verdict
            ).text = text
        elif text:
            ET.SubElement(case, "system-out").text = text
    ET.indent(suites)
    # ElementTree escapes &, < and > but writes control characters as they are, which
    # makes the document ill-formed; only content can hold them, so escape the whole.
    body = xml_safe(ET.tostring(suites, "unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
