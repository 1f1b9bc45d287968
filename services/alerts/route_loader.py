"""Load a routing file: YAML → validated config → compiled Route → linted RoutingTree.

Every failure is a ``file:line: reason`` Problem; a tree with any problem is refused, so a
running service only ever routes with a tree the linter accepts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import ValidationError

from jiandu.org import SupervisionOrg, supervision_org
from services.alerts.route_config import MatchConfig, ReceiverConfig, RouteConfig, RoutingFile
from services.alerts.route_lint import lint
from services.alerts.route_source import Problem, RoutingError, SourceLines, decode
from services.alerts.routing import RoutingTree, compile_route


def default_routes_path() -> Path:
    """The shipped default tree: ``deploy/routing/routes.yaml`` of the repository."""
    return Path(__file__).resolve().parents[2] / "deploy" / "routing" / "routes.yaml"


def check_routes(
    text: str, file: str = "routes.yaml", org: SupervisionOrg | None = None
) -> tuple[RoutingTree | None, list[Problem]]:
    """The tree of ``text`` and its problems; the tree is None when it could not be built."""
    try:
        lines = SourceLines(text, file)
    except RoutingError as exc:
        return None, list(exc.problems)
    try:
        config = RoutingFile.model_validate(lines.data)
    except ValidationError as exc:
        return None, _validation_problems(exc, lines)
    org = org or supervision_org()
    root = compile_route(config.route)
    return RoutingTree(config.version, root, org), lint(root, org, lines)


def load_routes(
    text: str, file: str = "routes.yaml", org: SupervisionOrg | None = None
) -> RoutingTree:
    """The tree of ``text``; raises ``RoutingError`` listing every problem when there is one."""
    tree, problems = check_routes(text, file, org)
    if problems or tree is None:
        raise RoutingError(problems)
    return tree


def load_routes_file(path: Path, org: SupervisionOrg | None = None) -> RoutingTree:
    """The tree in ``path`` (messages name the file as given)."""
    return load_routes(decode(path.read_bytes(), str(path)), str(path), org)


@cache
def default_tree() -> RoutingTree:
    """The shipped default tree over the shipped org, loaded once."""
    return load_routes_file(default_routes_path())


def _validation_problems(exc: ValidationError, lines: SourceLines) -> list[Problem]:
    """One problem per field (the first alternative's reason when a union failed)."""
    first: dict[str, Problem] = {}
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        field = _field(loc, error["type"])
        key = field.rstrip(".0123456789")
        first.setdefault(key, lines.problem(loc, f"{field}: {error['msg']}"))
    return list(first.values())


_FIELDS = {
    field.alias or name
    for model in (RoutingFile, RouteConfig, MatchConfig, ReceiverConfig)
    for name, field in model.model_fields.items()
}


def _field(loc: tuple[int | str, ...], kind: str) -> str:
    """A readable field path, ``route.routes.3.match.check``, without pydantic's union tags."""
    keep = [
        str(part)
        for index, part in enumerate(loc)
        if isinstance(part, int)
        or part in _FIELDS
        or (kind == "extra_forbidden" and index == len(loc) - 1)
    ]
    return ".".join(keep) or "<file>"
