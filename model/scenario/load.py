"""Scenario files: YAML loading, ``extends``, provenance, dated values and strict validation.

A scenario file is YAML. It may name a base with ``extends: other.yaml`` and then override only what
changes. Each parameter leaf is either a bare value or a mapping that carries its provenance::

    employer_pension: {value: 0.16, source: "国办发〔2019〕13号", unit: share}
    medical:          {value: 0.08, assumption: "no Huangshi rate found", unit: share}

Values may be dated, ``{2021: 0.03, 2026: 0.025}``: a value holds from its year until the next key. A year may
carry its own provenance, ``{2019: {value: 5826, assumption: "..."}, 2023: 6948}``; the others take the value's.
Validation collects every problem before it reports, each with its dotted path and ``file:line``.
In the file that starts the chain (the one without ``extends``), every leaf must carry a source or an
assumption; an overriding file may give bare values, which are then attributed to that scenario.
"""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from model.errors import UserError
from model.inputs import read_input
from model.scenario.schema import ALWAYS, HEADER_FIELDS, ScenarioModel, leaf_paths

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20
PROVENANCE_KEYS = {"source", "assumption", "unit", "note"}


SOURCE_KEYS = re.compile(r"^\s*([a-z][a-z0-9_]*(?:\s*,\s*[a-z][a-z0-9_]*)*)\s*:\s*")


@dataclass
class Provenance:
    kind: str  # "source", "assumption" or "scenario"
    text: str
    unit: str = ""

    @property
    def cites(self) -> list[str]:
        """Keys of the documents (the scenario's ``sources:``) a source note begins with: ``"seed, npcsc2024: ..."``."""
        found = SOURCE_KEYS.match(self.text) if self.kind == "source" else None
        return [k.strip() for k in found.group(1).split(",")] if found else []

    @property
    def remark(self) -> str:
        """The note without its leading document keys."""
        return SOURCE_KEYS.sub("", self.text, count=1) if self.cites else self.text


@dataclass
class Scenario:
    """A validated scenario: the typed model plus where every value came from."""

    model: ScenarioModel
    path: Path
    files: list[Path]
    provenance: dict[str, Provenance]
    raw: dict[str, Any] = field(repr=False)
    overrides: list[str] = field(default_factory=list)  # command-line --set overrides, in order

    @property
    def name(self) -> str:
        return self.model.name

    def file_hashes(self) -> dict[str, str]:
        """sha256 of every input file: the scenario files of the extends chain and a roster file."""
        files = list(self.files)
        if self.model.opening.roster_file:
            files.append(self.path.parent / self.model.opening.roster_file)
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    def parameter_hash(self) -> str:
        text = json.dumps(self.model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


# ----------------------------------------------------------------------------- YAML with line numbers

# YAML 1.1 (PyYAML) reads 1e12 or 2.5e-3 as text; scenario files take them as numbers, as YAML 1.2 does.
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+|\.[0-9_]+(?:[eE][-+]?[0-9]+)?)$"
                    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (no alias bombs) and keeps node marks."""

    def compose_node(self, parent, index):  # noqa: D401 - yaml API
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in scenario files", event.start_mark
            )
        return super().compose_node(parent, index)


_NoAliasLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def parse_value(text: str):
    """A value typed on the command line, read as YAML like the files (no aliases)."""
    loader = _NoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml(path: Path, where: str) -> tuple[Any, dict[str, int]]:
    """Parse one YAML file (scenario or ranges: the one YAML loader) into plain data plus a map dotted-path ->
    line number: a regular file of at most MAX_FILE_BYTES, no aliases, at most MAX_DEPTH levels."""
    data = read_input(path, where, MAX_FILE_BYTES)  # a regular file, size checked before reading
    # A sweep or sensitivity run reads the same files once per variant: parse each version of a file once.
    key = (str(path), data)
    if key not in _PARSED:
        if len(_PARSED) >= 64:
            _PARSED.clear()
        _PARSED[key] = pickle.dumps(_parse_yaml(path, data))
    return pickle.loads(_PARSED[key])


_PARSED: dict[tuple[str, bytes], bytes] = {}  # (file, its bytes) -> pickled (data, line map)


def _parse_yaml(path: Path, data: bytes) -> tuple[Any, dict[str, int]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    loader = None
    try:
        loader = _NoAliasLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise UserError(f"{path}: the file is empty; a scenario is a YAML mapping")
        lines: dict[str, int] = {}
        problems: list[str] = []
        value = _construct(loader, node, "", lines, problems, path, 0)
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        raise UserError(f"{path}: invalid YAML: {exc.reason} (character U+{code:04X} at position {exc.position})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"{at}: invalid YAML: {problem}") from None
    except RecursionError:
        raise UserError(f"{path}: nested too deeply to read") from None
    finally:
        if loader is not None:
            loader.dispose()
    if problems:
        raise UserError(f"{path}: {len(problems)} problem(s)", problems)
    if not isinstance(value, dict):
        raise UserError(f"{path}:{node.start_mark.line + 1}: must be a YAML mapping, not a {type(value).__name__}")
    return value, lines


def _construct(ctor, node, path: str, lines: dict, problems: list, file: Path, depth: int):
    if depth > MAX_DEPTH:
        problems.append(f"{path or '<top>'} ({file.name}:{node.start_mark.line + 1}): nested deeper than {MAX_DEPTH} levels")
        return None
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(f"{path or '<top>'} ({file.name}:{key_node.start_mark.line + 1}): keys must be plain scalars")
                continue
            try:
                key = ctor.construct_object(key_node)
            except ValueError:
                problems.append(f"{path or '<top>'} ({file.name}:{key_node.start_mark.line + 1}): key: {TOO_LONG}")
                continue
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                problems.append(f"{path or '<top>'} ({file.name}:{key_node.start_mark.line + 1}): key {key!r} must be a name or a year")
                continue
            child = f"{path}.{key}" if path else str(key)
            if key in out:
                problems.append(
                    f"{child} ({file.name}:{key_node.start_mark.line + 1}): duplicate key "
                    f"(first at line {lines.get(child, '?')})"
                )
                continue
            lines[child] = key_node.start_mark.line + 1
            out[key] = _construct(ctor, value_node, child, lines, problems, file, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(ctor, v, f"{path}[{i}]", lines, problems, file, depth + 1) for i, v in enumerate(node.value)]
    try:
        return ctor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append(f"{path} ({file.name}:{node.start_mark.line + 1}): {getattr(exc, 'problem', exc)}")
    except ValueError:  # e.g. an integer of thousands of digits
        problems.append(f"{path} ({file.name}:{node.start_mark.line + 1}): {TOO_LONG}")
    return None


TOO_LONG = f"the number is too long to read (at most {sys.get_int_max_str_digits()} digits)"



# ----------------------------------------------------------------------------- provenance and merging


def _is_dated(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(k, int) and not isinstance(k, bool) for k in value)


def _unwrap(tree: Any, path: str, prov: dict[str, Provenance], problems: list[str], where) -> Any:
    """Replace ``{value: x, source|assumption: ...}`` wrappers by x, recording provenance by path. The years of a
    dated value may carry wrappers of their own (a published year among assumed ones): recorded as ``path.year``."""
    if not isinstance(tree, dict):
        return tree
    if _is_dated(tree):
        return {year: _unwrap(v, f"{path}.{year}", prov, problems, where) for year, v in tree.items()}
    if "value" in tree and set(tree) - {"value"} <= PROVENANCE_KEYS:
        has_source, has_assumption = "source" in tree, "assumption" in tree
        if has_source and has_assumption:
            problems.append(f"{path} ({where(path)}): give either a source or an assumption, not both")
        for key in ("source", "assumption", "unit", "note"):
            if key in tree and not isinstance(tree[key], str):
                problems.append(f"{path}.{key} ({where(path + '.' + key)}): must be text")
        if has_source or has_assumption:
            kind = "source" if has_source else "assumption"
            prov[path] = Provenance(kind, str(tree[kind]), str(tree.get("unit", "")))
        elif "unit" in tree:
            prov[path] = Provenance("", "", str(tree["unit"]))
        value = tree["value"]
        return _unwrap(value, path, prov, problems, where) if _is_dated(value) else value
    return {k: _unwrap(v, f"{path}.{k}" if path else str(k), prov, problems, where) for k, v in tree.items()}


def _merge(base: dict, over: dict, path: str, prov: dict[str, Provenance]) -> dict:
    """Deep-merge ``over`` into ``base``. Mappings merge key by key; dated values, lists and scalars replace."""
    out = dict(base)
    for key, value in over.items():
        child = f"{path}.{key}" if path else str(key)
        if isinstance(value, dict) and not _is_dated(value) and isinstance(out.get(key), dict) and not _is_dated(out[key]):
            out[key] = _merge(out[key], value, child, prov)
        else:
            for p in [p for p in prov if p == child or p.startswith(child + ".")]:
                del prov[p]
            out[key] = value
    return out


def _attribute(tree: Any, path: str, prov: dict[str, Provenance], label: str) -> None:
    """Give bare leaves of an overriding file the provenance ``label`` (keeping any unit given)."""
    if isinstance(tree, dict) and not _is_dated(tree):
        for k, v in tree.items():
            _attribute(v, f"{path}.{k}" if path else str(k), prov, label)
    elif path not in prov or not prov[path].kind:
        prov[path] = Provenance("scenario", label, prov[path].unit if path in prov else "")


HEADER_KEYS = set(HEADER_FIELDS)


def _load_chain(path: Path, seen: tuple[Path, ...], where_from: str) -> tuple[dict, dict[str, Provenance], dict, list[Path]]:
    try:
        path = path.resolve()
    except (ValueError, OSError):
        raise UserError(f"{where_from}: invalid file name {str(path)!r}") from None
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise UserError(f"{where_from}: 'extends' makes a cycle: {chain}")
    raw, lines = read_yaml(path, where_from)
    where = {k: f"{path.name}:{v}" for k, v in lines.items()}
    problems: list[str] = []
    prov: dict[str, Provenance] = {}
    tree = _unwrap(raw, "", prov, problems, lambda p: where.get(p, path.name))
    if problems:
        raise UserError(f"{path}: {len(problems)} problem(s)", problems)
    if not isinstance(tree, dict):
        raise UserError(f"{path}: a scenario must be a YAML mapping of parameters, not a single value")
    parent = tree.get("extends")
    if parent is None:
        return tree, prov, where, [path]
    at = where.get("extends", path.name)  # (no line of its own when the whole document is wrapped in `value:`)
    if not isinstance(parent, str):
        raise UserError(f"extends ({at}): must be a file name, got {parent!r}")
    base_tree, base_prov, base_where, files = _load_chain((path.parent / parent), (*seen, path), f"extends ({at})")
    body = {k: v for k, v in tree.items() if k not in HEADER_KEYS}
    label = f"{tree.get('name', path.stem)}: {tree.get('title', '')}".strip(": ")
    _attribute(body, "", prov, label)
    merged_prov = dict(base_prov)
    base_body = {k: v for k, v in base_tree.items() if k not in HEADER_KEYS - {"sources"}}
    merged = _merge(base_body, body, "", merged_prov)
    merged_prov.update(prov)
    for k in HEADER_KEYS - {"extends"}:
        if k in tree:
            merged[k] = tree[k]
    if isinstance(base_tree.get("sources"), dict) and isinstance(tree.get("sources"), dict):
        merged["sources"] = {**base_tree["sources"], **tree["sources"]}  # documents accumulate down the chain
    merged["extends"] = parent
    return merged, merged_prov, {**base_where, **where}, [*files, path]


# ----------------------------------------------------------------------------- overrides from the command line


def apply_overrides(tree: dict, overrides: list[str], prov: dict[str, Provenance], where: dict) -> dict:
    """Apply ``dotted.path=value`` overrides (value parsed as YAML) to a raw scenario tree."""
    tree = copy.deepcopy(tree)
    problems = []
    for text in overrides:
        if "=" not in text:
            problems.append(f"--set {text!r}: expected dotted.path=value")
            continue
        dotted, _, value_text = text.partition("=")
        dotted = dotted.strip()
        try:
            value = parse_value(value_text) if value_text.strip() else None
        except yaml.YAMLError:
            problems.append(f"--set {dotted}: value {value_text!r:.80} is not valid YAML")
            continue
        except ValueError:
            problems.append(f"--set {dotted}: {TOO_LONG}")
            continue
        keys = dotted.split(".")
        node = tree
        ok = True
        for i, key in enumerate(keys[:-1]):
            k = int(key) if key.isdigit() and isinstance(node, dict) and int(key) in node else key
            if not isinstance(node, dict) or k not in node or not isinstance(node[k], dict):
                sections = [str(n) for n, v in node.items() if isinstance(v, dict)] if isinstance(node, dict) else []
                hint = did_you_mean(key, sections)
                problems.append(f"--set {dotted}: no section {'.'.join(keys[: i + 1])!r} in the scenario{hint}")
                ok = False
                break
            node = node[k]
        if not ok:
            continue
        last = int(keys[-1]) if keys[-1].isdigit() and _is_dated(node) else keys[-1]
        node[last] = value  # a name the schema does not know is reported by validation, at "--set"
        for p in [p for p in prov if p.startswith(dotted + ".") or p == dotted]:  # notes of what was replaced
            del prov[p]
        prov[dotted if not _is_dated(node) else ".".join(keys[:-1])] = Provenance("scenario", f"--set {text}")
        where[dotted] = "--set"
    if problems:
        raise UserError(f"{len(problems)} problem(s) in command-line overrides", problems)
    return tree


# ----------------------------------------------------------------------------- validation


def did_you_mean(word: str, candidates) -> str:
    """``; did you mean 'x'?`` for the closest of ``candidates`` (difflib), or ``""`` when none is close."""
    import difflib

    close = difflib.get_close_matches(word, [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def known_keys(loc: tuple) -> list[str]:
    """The field names the schema allows at a pydantic error location (empty where the location passes
    through anything but models, optionals, lists and mappings)."""
    import typing

    from pydantic import BaseModel

    def models(tp) -> list:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return [tp]
        return [m for arg in typing.get_args(tp) for m in models(arg)]

    current = [ScenarioModel]
    for item in loc:
        nxt = []
        for m in current:
            if isinstance(item, str) and item in m.model_fields:
                nxt += models(m.model_fields[item].annotation)
        current = nxt or current  # a list index, a year or a mapping key: the same models one level down
    return sorted({name for m in current for name in m.model_fields})


def _loc_to_path(loc: tuple) -> str:
    """Dotted path from a pydantic error location: list indices as [i], years as .2026, the no-year key dropped."""
    out = ""
    for item in loc:
        if isinstance(item, int):
            if item == ALWAYS:
                continue
            out += f".{item}" if item >= 1000 else f"[{item}]"
        else:
            out += f".{item}" if out else str(item)
    return out


def _where(path: str, where: dict) -> str:
    """``file:line`` of a dotted path, or of its nearest ancestor that has one."""
    probe = path
    while probe:
        if probe in where:
            return where[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return where.get("", "?")


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, merge and validate a scenario; raise :class:`UserError` listing every problem."""
    path = Path(path)
    tree, prov, where, files = _load_chain(path, (), "scenario")
    where.setdefault("", path.name)
    if overrides:
        tree = apply_overrides(tree, list(overrides), prov, where)
    problems: list[str] = []
    try:
        model = ScenarioModel.model_validate(tree)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith(("function-", "constrained-"))))
            dotted = _loc_to_path(loc)
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key" + did_you_mean(str(loc[-1]), known_keys(loc[:-1]))
            elif err["type"] == "missing":
                msg = "missing value (required; there is no default)"
            elif "input" in err and err["type"] not in ("value_error",):
                msg = f"{msg} (got {err['input']!r})" if not isinstance(err["input"], dict) else msg
            problems.append(f"{dotted or '<top>'} ({_where(dotted, where)}): {msg}")
        raise UserError(f"{path}: {len(problems)} problem(s)", list(dict.fromkeys(problems))) from None
    for dotted, msg in model.cross_checks():
        problems.append(f"{dotted} ({_where(dotted, where)}): {msg}")
    # Every leaf must say where it comes from.
    for leaf in leaf_paths(model):
        if _note(prov, leaf).kind:
            continue
        problems.append(f"{leaf} ({_where(leaf, where)}): no source or assumption given "
                        "(write {value: ..., source: ...} or {value: ..., assumption: ...})")
    # Every source names its documents, listed once under `sources:`.
    for dotted, prov_ in prov.items():
        if prov_.kind != "source":
            continue
        unknown = [k for k in prov_.cites if k not in model.sources]
        if not prov_.cites or unknown:
            what = f"cites {', '.join(map(repr, unknown))}, not listed" if unknown else "does not begin with the key of a document"
            problems.append(f"{dotted} ({_where(dotted, where)}): the source {what} under `sources:` "
                            f"(write source: \"KEY: remark\" with KEY one of: {', '.join(sorted(model.sources)) or 'none listed'})")
    if problems:
        raise UserError(f"{path}: {len(problems)} problem(s)", problems)
    return Scenario(model=model, path=path.resolve(), files=files, provenance=prov, raw=tree, overrides=list(overrides or []))


def check_overrides(scenario: str | Path, sets: list[str], overrides: list[str] | None, label: str, what: str) -> None:
    """Load ``scenario`` with each of ``sets`` alone (after ``overrides``); one UserError lists every
    invalid one, each line starting ``{label} {set}:``."""
    problems = []
    for one in dict.fromkeys(sets):
        try:
            load_scenario(scenario, overrides=[*(overrides or []), one])
        except UserError as exc:
            problems.extend(f"{label}{one}: {line}" for line in (exc.problems or [str(exc)]))
    if problems:
        raise UserError(f"{scenario}: {len(problems)} problem(s) in {what}", problems)


def provenance_of(scenario: Scenario, leaf: str) -> Provenance:
    """The provenance of a leaf, or of the nearest wrapped ancestor (a whole table can carry one source)."""
    return _note(scenario.provenance, leaf)


def _note(prov: dict[str, Provenance], leaf: str) -> Provenance:
    """provenance_of over the notes by path: the leaf's own, else its nearest dotted ancestor's with a kind."""
    probe = leaf
    while probe:
        found = prov.get(probe)
        if found is not None and found.kind:
            return found
        probe = probe.rpartition(".")[0]
    return Provenance("", "")
