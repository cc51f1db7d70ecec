"""Keep the docs honest: they must name what the code has, and their examples must load."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
import yaml

from dualprev_core.grading import load_variants
from dualprev_core.loading.enterprise import parse_enterprise
from dualprev_core.loading.schema import SCHEMA
from dualprev_core.packs import hookspecs

DOCS = Path(__file__).resolve().parents[1] / "docs"
MARKER = "format: dualprev-enterprise/1"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def blocks(name: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(read(name))]


def hookspec_names() -> list[str]:
    return [n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("dualprev_")]


def test_docs_exist_and_index_links_them():
    index = read("index.md")
    for name in ("architecture.md", "file-format.md", "grading-methods.md", "writing-a-pack.md"):
        assert (DOCS / name).is_file(), name
        assert f"({name})" in index, f"index.md does not link {name}"


def test_there_are_hookspecs_to_check():
    assert "dualprev_pack_manifest" in hookspec_names()


@pytest.mark.parametrize("hook", hookspec_names())
def test_every_hookspec_has_a_heading_in_writing_a_pack(hook):
    headings = [line for line in read("writing-a-pack.md").splitlines() if line.startswith("#")]
    assert any(hook in h for h in headings), f"writing-a-pack.md has no heading naming {hook}"


@pytest.mark.parametrize("prop", sorted(SCHEMA["properties"]))
def test_every_top_level_schema_property_is_in_file_format(prop):
    assert f"`{prop}`" in read("file-format.md"), f"file-format.md does not describe `{prop}`"


def method_variant_ids() -> list[str]:
    ids = []
    for method, (variants, default) in load_variants().items():
        ids.append(method)
        ids += list(variants)
        assert default in variants
    return ids


@pytest.mark.parametrize("ident", method_variant_ids())
def test_every_method_and_variant_id_is_in_grading_methods(ident):
    assert f"`{ident}`" in read("grading-methods.md"), f"grading-methods.md does not name `{ident}`"


def enterprise_examples() -> list[tuple[str, str]]:
    """Fenced ```yaml blocks whose first line is the format marker, and ```json blocks whose
    document has ``"format": "dualprev-enterprise/1"``."""
    out = []
    for lang, body in blocks("file-format.md"):
        if lang == "yaml" and body.splitlines()[:1] == [MARKER]:
            out.append((lang, body))
        elif lang == "json" and '"format": "dualprev-enterprise/1"' in body:
            out.append((lang, body))
    return out


def test_file_format_has_enterprise_examples():
    langs = [lang for lang, _ in enterprise_examples()]
    assert langs.count("yaml") >= 2 and "json" in langs


@pytest.mark.parametrize("example", enterprise_examples(), ids=lambda e: e[0] + ":" + e[1].splitlines()[1][:30])
def test_enterprise_examples_load(example):
    lang, body = example
    data = yaml.safe_load(body) if lang == "yaml" else json.loads(body)
    enterprise = parse_enterprise(data)
    assert enterprise.id


def test_broken_example_in_file_format_is_really_broken():
    from dualprev_core.errors import ValidationError

    broken = [b for lang, b in blocks("file-format.md") if lang == "yaml" and b.startswith("# broken.yaml")]
    assert broken
    with pytest.raises(ValidationError) as info:
        parse_enterprise(yaml.safe_load(broken[0]))
    assert len(info.value.problems) == 5


# ------------------------------------------------------------------------------- links and paths

ROOT = DOCS.parent
#: Where a path named in the docs may live: the repository, the core package, a pack's package.
PATH_BASES = [ROOT, ROOT / "src", ROOT / "src" / "dualprev_core", *sorted((ROOT / "plugins").glob("*/src")),
              *sorted(p for p in (ROOT / "plugins").glob("*/src/*") if p.is_dir())]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_PATH = re.compile(r"`([A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)+\.(?:py|md|yaml|yml|json|csv|toml|jsonl))`")


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md")), *sorted((ROOT / "examples").glob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]


def _anchors(path: Path) -> set[str]:
    """GitHub-style heading anchors of a markdown file."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc):
    """Every relative link in the docs points at a file of the repository (and an existing heading)."""
    broken = []
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", doc.read_text(encoding="utf-8")))  # code holds examples, not links
    for target in LINK.findall(prose):
        if re.match(r"^[a-z]+:", target) or target.startswith("#") and not target[1:]:
            continue  # a URL (https:, mailto:)
        path_part, _, anchor = target.partition("#")
        dest = (doc.parent / path_part).resolve() if path_part else doc
        if not dest.exists():
            broken.append(f"{target}: no such file ({dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest})")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target}: {dest.name} has no heading #{anchor}")
    assert not broken, f"{doc.relative_to(ROOT)}: broken links:\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_path_named_exists(doc):
    """Every `path/like/this.py` the docs name exists — in the repository, under ``src/`` or a
    pack's ``src/``, in the core package (``src/dualprev_core``) or a pack's package."""
    missing = []
    for path in CODE_PATH.findall(doc.read_text(encoding="utf-8")):
        if not any((base / path).exists() for base in [doc.parent, *PATH_BASES]):
            missing.append(path)
    assert not missing, f"{doc.relative_to(ROOT)} names files that do not exist: {', '.join(sorted(set(missing)))}"
