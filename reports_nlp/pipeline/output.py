"""The `mine_text` output: one JSON object per input line."""

import json

from reports_nlp.pipeline.builder import ReportPipeline


def findings_json(pipeline: ReportPipeline, text: str) -> dict:
    """{"findings": [{"trait", "assertion", "section", "start", "end", "text"}]} for one text."""
    return {"findings": [f.to_json() for f in pipeline.mine(text)]}


def mine_text_line(pipeline: ReportPipeline, line: str) -> str:
    """One input line (a whole report; a trailing newline is dropped) -> one JSON line, no newline."""
    return json.dumps(findings_json(pipeline, line.rstrip("\r\n")), ensure_ascii=False)
