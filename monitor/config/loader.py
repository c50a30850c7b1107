"""Reading a YAML config file, with errors that name the file, the YAML path and the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from monitor.config.app import AppConfig

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    path: YamlPath
    line: int | None
    reason: str

    def render(self, file: Path) -> str:
        where = ".".join(str(part) for part in self.path) or "(top level)"
        line = f":{self.line}" if self.line is not None else ""
        return f"{file}{line}: {where}: {self.reason}"


class ConfigError(Exception):
    def __init__(self, file: Path, problems: list[ConfigProblem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(problem.render(file) for problem in problems))


def _line_index(node: yaml.Node, path: YamlPath = ()) -> dict[YamlPath, int]:
    """Maps every YAML path in the document to its 1-based line."""
    index = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            index.update(_line_index(value_node, child))
            index[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            index.update(_line_index(item, (*path, position)))
    return index


def _nearest_line(index: dict[YamlPath, int], path: YamlPath) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in index:
            return index[path[:end]]
    return None


def parse_config(text: str, file: Path) -> AppConfig:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(file, [ConfigProblem((), line, f"not valid YAML: {error}")]) from error
    if not isinstance(data, dict):
        raise ConfigError(file, [ConfigProblem((), None, "expected a mapping at the top level")])
    try:
        return AppConfig.model_validate(data)
    except ValidationError as error:
        index = _line_index(node) if node is not None else {}
        problems = []
        for detail in error.errors():
            path: YamlPath = tuple(part for part in detail["loc"] if isinstance(part, str | int))
            reason = detail["msg"].removeprefix("Value error, ")
            problems.append(ConfigProblem(path, _nearest_line(index, path), reason))
        raise ConfigError(file, problems) from error


def load_config(file: Path) -> AppConfig:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            file, [ConfigProblem((), None, f"cannot read: {error.strerror}")]
        ) from error
    return parse_config(text, file)
