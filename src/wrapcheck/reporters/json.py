from __future__ import annotations

import json
from typing import Any

from wrapcheck.reporters.base import Reporter


class JsonReporter(Reporter):
    """The report as JSON: exactly ``Report.to_dict()``."""

    suffix = ".json"

    def render(self, document: dict[str, Any]) -> str:
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"

    def render_source(self, source: dict[str, Any]) -> str:
        return self.render(source)

    def render_summary(self, document: dict[str, Any]) -> str:
        return self.render({
            "version": document["version"],
            "files": document["files"],
            "summary": document["summary"],
            "sources": [{k: s[k] for k in ("date", "source", "verdict", "counts")} for s in document["sources"]],
        })
