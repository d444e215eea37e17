"""`witgen print`: the command against the corpus and wasm-tools, `--out-dir`, and the round
trip `resolve(print(x))`.

The corpus `print.wit` files are what wasm-tools 1.262 printed for each case, so every case
is a byte-for-byte check of the whole path (load, resolve, print, CLI). The differential
tests run wasm-tools itself where the corpus records nothing (`--no-docs`, `--out-dir`).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from witgen import api
from witgen.api import Features
from witgen.cli.app import app
from witgen.outputs import printer
from witgen.outputs.json import to_json

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "wit-samples"
FOLDERS = ("wit-parser", "wit-component", "codegen", "wasi")


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output, result.output
    return result


def feature_args(features: Features) -> list[str]:
    if features.all:
        return ["--all-features"]
    return ["--features", ",".join(sorted(features.names))] if features.names else []


def _cases() -> Iterator[tuple[str, Path, Features, Path | None]]:
    """(id, input, features, expected print or None) for every corpus case that resolves
    (by wasm-tools' verdict) and every sample."""
    if CORPUS.is_dir():
        for folder in FOLDERS:
            manifest = json.loads((CORPUS / folder / "manifest.json").read_text(encoding="utf-8"))
            for case in manifest["cases"]:
                if case["kind"] == "fail":
                    continue
                feats = Features.of(case.get("features", []), case.get("all_features", False))
                expected = case.get("expected", {}).get("print")
                base = CORPUS / folder
                yield case["id"], base / case["input"], feats, expected and base / expected
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix == ".wit" or path.is_dir():
            yield str(path.relative_to(ROOT)), path, Features(), None


CASES = list(_cases())
PRINTED = [c for c in CASES if c[3] is not None]


# ---------------------------------------------------------------- the command


@pytest.mark.skipif(not PRINTED, reason=f"{CORPUS} is absent")
@pytest.mark.parametrize(
    ("path", "features", "expected"), [c[1:] for c in PRINTED], ids=[c[0] for c in PRINTED]
)
def test_print_equals_the_reference(path: Path, features: Features, expected: Path) -> None:
    result = invoke("print", *feature_args(features), str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == expected.read_text(encoding="utf-8")


def test_corpus_is_covered() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    assert len(PRINTED) >= 130


DIFFERENTIAL = [
    SAMPLES / "kv-store.wit",
    SAMPLES / "streams.wit",
    SAMPLES / "notes",
    CORPUS / "wasi" / "0.2.0" / "http",
    CORPUS / "wit-parser" / "tests" / "ui" / "multi-package-deps",
    CORPUS / "wit-component" / "world-pkg-conflict" / "world-pkg-conflict",
]


def _wasm_tools(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["wasm-tools", "component", "wit", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )


@pytest.mark.parametrize("path", DIFFERENTIAL, ids=lambda p: p.stem)
def test_no_docs_matches_wasm_tools(path: Path, wasm_tools: str) -> None:
    if not path.exists():
        pytest.skip(f"{path} is absent")
    result = invoke("print", "--no-docs", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == _wasm_tools("--no-docs", str(path)).stdout
    assert "///" not in result.stdout


@pytest.mark.parametrize("path", DIFFERENTIAL, ids=lambda p: p.stem)
def test_out_dir_matches_wasm_tools(path: Path, wasm_tools: str, tmp_path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is absent")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    result = invoke("print", "--out-dir", str(ours), str(path))
    assert result.exit_code == 0, result.output
    reference = _wasm_tools(str(path), "--out-dir", str(theirs))
    assert result.stdout == reference.stdout.replace(str(theirs), str(ours))
    assert _tree(ours) == _tree(theirs)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_out_dir_keeps_other_files_and_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "deps").mkdir(parents=True)
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    (out / "kv-store.wit").write_text("stale", encoding="utf-8")
    result = invoke("print", "--out-dir", str(out), str(SAMPLES / "kv-store.wit"))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Writing: {out / 'kv-store.wit'}\n"
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "kv-store.wit").read_text(encoding="utf-8") == api.print_wit(
        SAMPLES / "kv-store.wit"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left behind


def test_out_dir_writes_nothing_on_failure(tmp_path: Path) -> None:
    """The main package's file cannot be written (a directory is in the way): none of the
    dependencies' files may appear either."""
    out = tmp_path / "out"
    (out / "notes.wit").mkdir(parents=True)
    result = invoke("print", "--out-dir", str(out), str(SAMPLES / "notes"))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error[WIT200]: failed to write ")
    assert _tree(out) == {}
    assert not (out / "deps").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_print_bad_input_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.wit"
    path.write_text("package a:b;\ninterface i {\n  type x = strng;\n}\n", encoding="utf-8")
    result = invoke("print", str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error[WIT201]: type `strng` does not exist")
    out = tmp_path / "out"
    assert invoke("print", "--out-dir", str(out), str(path)).exit_code == 1
    assert not out.exists()


def test_print_missing_path_exits_1(tmp_path: Path) -> None:
    result = invoke("print", str(tmp_path / "nope"))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error[WIT200]: failed to read path")


def test_print_features() -> None:
    path = str(SAMPLES / "streams.wit")
    plain = invoke("print", path).stdout
    gated = invoke("print", "--all-features", path).stdout
    assert "feature = frame-flags" not in plain
    assert "feature = frame-flags" in gated
    assert invoke("print", "--features", "frame-flags", path).stdout != plain


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize(("path", "features"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES])
def test_round_trip(path: Path, features: Features, tmp_path: Path) -> None:
    """`resolve(print(x))` is `resolve(x)`, and `print` is idempotent.

    The JSON is compared without ids (see `canonical`): the printer groups `use`s, types
    and functions and drops anonymous types nothing refers to, as wasm-tools does, so
    arena order and id numbers move (with wasm-tools too: the JSON of its printed text
    differs from the JSON of the source in 22 of the 179 corpus cases). Every name, docs,
    gate, type structure and reference must survive."""
    resolve = api.load(path, features=features).resolve
    text = printer.print_resolve(resolve)
    again = api.load(_write(tmp_path / "1.wit", text), features=features).resolve
    before, after = json.loads(to_json(resolve)), json.loads(to_json(again))
    assert canonical(after) == canonical(before)
    printed = printer.print_resolve(again)
    if [p["name"] for p in after["packages"]] == [p["name"] for p in before["packages"]]:
        assert printed == text
    else:
        # Packages that do not depend on each other are ordered as their text is, and the
        # printed text puts the main one first: wasm-tools moves them too (its print of
        # its print differs here). From the second round on, the text is a fixed point.
        third = api.load(_write(tmp_path / "2.wit", printed), features=features).resolve
        assert printer.print_resolve(third) == printed


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


Json = Any


def canonical(data: Json) -> Json:
    """wit-parser's JSON with every id replaced by what it names: a named type by its owner
    and name, an anonymous one by its structure, an interface by `pkg/name` (an inline one
    by its world and key). Maps compare without order; lists (fields, params) keep it."""
    types, ifaces, worlds, pkgs = (
        data["types"],
        data["interfaces"],
        data["worlds"],
        data["packages"],
    )
    inline: dict[int, str] = {}
    for w in worlds:
        for side in ("imports", "exports"):
            for key, item in w[side].items():
                if "interface" in item and ifaces[item["interface"]["id"]]["name"] is None:
                    inline[item["interface"]["id"]] = (
                        f"{pkgs[w['package']]['name']}/{w['name']}#{key}"
                    )

    def iface_name(i: int) -> str:
        x = ifaces[i]
        return inline[i] if x["name"] is None else f"{pkgs[x['package']]['name']}/{x['name']}"

    def owner(o: Json) -> Json:
        if o is None or "interface" in o:
            return o and iface_name(o["interface"])
        w = worlds[o["world"]]
        return f"{pkgs[w['package']]['name']}/world:{w['name']}"

    def ty(t: Json) -> Json:
        if t is None or isinstance(t, str):
            return t
        d = types[t]
        return ("ref", owner(d["owner"]), d["name"]) if d["name"] is not None else kind(d["kind"])

    def kind(k: Json) -> Json:
        if isinstance(k, str):
            return k
        ((tag, v),) = k.items()
        match tag:
            case "record":
                return (tag, [(f["name"], ty(f["type"]), f.get("docs")) for f in v["fields"]])
            case "variant":
                return (tag, [(c["name"], ty(c["type"]), c.get("docs")) for c in v["cases"]])
            case "flags" | "enum":
                return (tag, json.dumps(v, sort_keys=True))
            case "tuple":
                return (tag, [ty(x) for x in v["types"]])
            case "result":
                return (tag, ty(v["ok"]), ty(v["err"]))
            case "handle":
                ((handle, resource),) = v.items()
                return (tag, handle, ty(resource))
            case "fixed-length-list":
                return (tag, ty(v[0]), v[1])
            case "map":
                return (tag, ty(v[0]), ty(v[1]))
            case _:  # option, list, future, stream, type (an alias)
                return (tag, ty(v))

    def func(f: Json) -> Json:
        k = f["kind"] if isinstance(f["kind"], str) else {a: ty(b) for a, b in f["kind"].items()}
        params = [(p["name"], ty(p["type"])) for p in f["params"]]
        return (f["name"], k, params, ty(f.get("result")), f.get("docs"), f.get("stability"))

    def typedef(t: int) -> Json:
        d = types[t]
        return (d["name"], kind(d["kind"]), d.get("docs"), d.get("stability"))

    def iface(i: int) -> Json:
        x = ifaces[i]
        return {
            "name": iface_name(i),
            "docs": x.get("docs"),
            "stability": x.get("stability"),
            "types": {n: typedef(t) for n, t in x["types"].items()},
            "functions": {n: func(f) for n, f in x["functions"].items()},
        }

    def item(v: Json) -> Json:
        if "interface" in v:
            i = v["interface"]["id"]
            body = iface(i) if ifaces[i]["name"] is None else iface_name(i)
            return ("interface", body, v["interface"].get("stability"), v["interface"].get("docs"))
        if "function" in v:
            return ("function", func(v["function"]))
        return ("type", typedef(v["type"]))

    def key(k: str) -> str:
        return iface_name(int(k.removeprefix("interface-"))) if k.startswith("interface-") else k

    def world(w: Json) -> Json:
        return {
            "name": w["name"],
            "docs": w.get("docs"),
            "stability": w.get("stability"),
            "imports": {key(k): item(v) for k, v in w["imports"].items()},
            "exports": {key(k): item(v) for k, v in w["exports"].items()},
        }

    return {
        p["name"]: {
            "docs": p.get("docs"),
            "interfaces": {n: iface(i) for n, i in p["interfaces"].items()},
            "worlds": {n: world(worlds[w]) for n, w in p["worlds"].items()},
        }
        for p in pkgs
    }


def test_canonical_sees_real_differences() -> None:
    """The comparison is not vacuous: a renamed field, changed docs or a moved function
    parameter change the canonical form."""
    path = SAMPLES / "kv-store.wit"
    text = path.read_text(encoding="utf-8")
    base = canonical(json.loads(api.resolve_json(path)))
    for old, new in [
        ("/// Types shared by every interface", "/// Types shared by each interface"),
        ("name: string", "label: string"),
        ("list<u8>", "list<s8>"),
    ]:
        assert old in text
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "x.wit"
            copy.write_text(text.replace(old, new, 1), encoding="utf-8")
            assert canonical(json.loads(api.resolve_json(copy))) != base, new
