"""`Resolve` ⇄ JSON, the shape of `wasm-tools component wit --json`.

Input: a `model.Resolve` (or, backwards, JSON text of that shape). Output: JSON text whose
keys, ids and order equal wit-parser's serialization. Invariants: spans never appear;
optional members (`docs`, `stability`, `result`) are left out when empty, as wit-parser
does; `from_json` is the exact inverse of `to_json` (tests and backends use it to build
models from reference JSON).
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any, TypeAlias, assert_never, cast

from witgen import model as m

Json: TypeAlias = Any  # JSON values are dynamically shaped by nature


# ---------------------------------------------------------------- model → JSON


def _docs(out: dict[str, Json], docs: m.Docs) -> None:
    if docs.contents is not None:
        out["docs"] = {"contents": docs.contents}


def _stability(out: dict[str, Json], s: m.Stability) -> None:
    match s:
        case m.Unknown():
            return
        case m.Stable(since=since, deprecated=dep):
            body: dict[str, Json] = {"since": since}
            if dep is not None:
                body["deprecated"] = dep
            out["stability"] = {"stable": body}
        case m.Unstable(feature=feature, deprecated=dep):
            body = {"feature": feature}
            if dep is not None:
                body["deprecated"] = dep
            out["stability"] = {"unstable": body}
        case _:
            assert_never(s)


def _ty(t: m.Type | None) -> Json:
    return t


def kind_json(kind: m.TypeDefKind) -> Json:
    match kind:
        case m.Record(fields=fields):
            fs = []
            for f in fields:
                fj: dict[str, Json] = {"name": f.name, "type": f.type}
                _docs(fj, f.docs)
                fs.append(fj)
            return {"record": {"fields": fs}}
        case m.Resource():
            return "resource"
        case m.Handle(kind=hk, resource=r):
            return {"handle": {hk: r}}
        case m.Flags(flags=flags):
            out = []
            for fl in flags:
                flj: dict[str, Json] = {"name": fl.name}
                _docs(flj, fl.docs)
                out.append(flj)
            return {"flags": {"flags": out}}
        case m.TupleKind(types=types):
            return {"tuple": {"types": list(types)}}
        case m.Variant(cases=cases):
            cs = []
            for c in cases:
                cj: dict[str, Json] = {"name": c.name, "type": c.type}
                _docs(cj, c.docs)
                cs.append(cj)
            return {"variant": {"cases": cs}}
        case m.Enum(cases=ecases):
            es = []
            for e in ecases:
                ej: dict[str, Json] = {"name": e.name}
                _docs(ej, e.docs)
                es.append(ej)
            return {"enum": {"cases": es}}
        case m.OptionKind(type=t):
            return {"option": t}
        case m.ResultKind(ok=ok, err=err):
            return {"result": {"ok": ok, "err": err}}
        case m.ListKind(type=t):
            return {"list": t}
        case m.FixedList(type=t, size=size):
            return {"fixed-length-list": [t, size]}
        case m.MapKind(key=k, value=v):
            return {"map": [k, v]}
        case m.Future(type=t):
            return {"future": t}
        case m.Stream(type=t):
            return {"stream": t}
        case m.Alias(type=t):
            return {"type": t}
        case _:
            assert_never(kind)


def function_json(f: m.Function) -> Json:
    out: dict[str, Json] = {"name": f.name}
    if f.kind.resource is None:
        out["kind"] = f.kind.name
    else:
        out["kind"] = {f.kind.name: f.kind.resource}
    out["params"] = [{"name": p.name, "type": p.type} for p in f.params]
    if f.result is not None:
        out["result"] = f.result
    _docs(out, f.docs)
    _stability(out, f.stability)
    if f.external_id is not None:
        out["external_id"] = f.external_id
    return out


def _world_item(r: m.Resolve, item: m.WorldItem) -> Json:
    match item:
        case m.WorldInterface(id=iid, docs=docs, stability=st):
            body: dict[str, Json] = {"id": iid}
            _stability(body, st)
            _docs(body, docs)
            if item.external_id is not None:
                body["external_id"] = item.external_id
            return {"interface": body}
        case m.WorldFunction(function=f):
            return {"function": function_json(f)}
        case m.WorldType(id=tid):
            return {"type": tid}
        case _:
            assert_never(item)


def _key(key: m.WorldKey) -> str:
    return key if isinstance(key, str) else f"interface-{key}"


def to_data(r: m.Resolve) -> Json:
    worlds = []
    for w in r.worlds:
        wj: dict[str, Json] = {"name": w.name}
        wj["imports"] = {_key(k): _world_item(r, v) for k, v in w.imports}
        wj["exports"] = {_key(k): _world_item(r, v) for k, v in w.exports}
        wj["package"] = w.package
        _docs(wj, w.docs)
        _stability(wj, w.stability)
        worlds.append(wj)
    interfaces = []
    for i in r.interfaces:
        ij: dict[str, Json] = {"name": i.name}
        ij["types"] = dict(i.types)
        ij["functions"] = {k: function_json(f) for k, f in i.functions}
        _docs(ij, i.docs)
        _stability(ij, i.stability)
        ij["package"] = i.package
        if i.clone_of is not None:
            ij["clone_of"] = i.clone_of
        interfaces.append(ij)
    types = []
    for t in r.types:
        tj: dict[str, Json] = {"name": t.name, "kind": kind_json(t.kind)}
        match t.owner:
            case None:
                tj["owner"] = None
            case m.OwnerInterface(id=iid):
                tj["owner"] = {"interface": iid}
            case m.OwnerWorld(id=wid):
                tj["owner"] = {"world": wid}
            case _:
                assert_never(t.owner)
        _docs(tj, t.docs)
        _stability(tj, t.stability)
        if t.external_id is not None:
            tj["external_id"] = t.external_id
        types.append(tj)
    packages = []
    for p in r.packages:
        pj: dict[str, Json] = {"name": str(p.name)}
        _docs(pj, p.docs)
        pj["interfaces"] = dict(p.interfaces)
        pj["worlds"] = dict(p.worlds)
        packages.append(pj)
    return {"worlds": worlds, "interfaces": interfaces, "types": types, "packages": packages}


def to_json(r: m.Resolve) -> str:
    """JSON text as `wasm-tools component wit --json` prints it (2-space indent)."""
    return json.dumps(to_data(r), indent=2, ensure_ascii=False) + "\n"


def generate(
    r: m.Resolve, target: object = None, options: object = None
) -> dict[PurePosixPath, str | bytes]:
    return {PurePosixPath("resolve.json"): to_json(r)}


# ---------------------------------------------------------------- JSON → model


def _rdocs(j: Json) -> m.Docs:
    d = j.get("docs")
    return m.Docs(contents=d.get("contents")) if d else m.NO_DOCS


def _rstab(j: Json) -> m.Stability:
    s = j.get("stability")
    if not s:
        return m.UNKNOWN
    if "stable" in s:
        return m.Stable(since=s["stable"]["since"], deprecated=s["stable"].get("deprecated"))
    return m.Unstable(feature=s["unstable"]["feature"], deprecated=s["unstable"].get("deprecated"))


def _rty(t: Json) -> m.Type:
    return cast(m.Type, t if isinstance(t, str) else m.TypeId(t))


def _ropt(t: Json) -> m.Type | None:
    return None if t is None else _rty(t)


def _rkind(k: Json) -> m.TypeDefKind:
    if k == "resource":
        return m.Resource()
    ((tag, v),) = k.items()
    if tag == "record":
        return m.Record(
            fields=tuple(
                m.Field(name=f["name"], type=_rty(f["type"]), docs=_rdocs(f)) for f in v["fields"]
            )
        )
    if tag == "handle":
        ((hk, rid),) = v.items()
        return m.Handle(kind=hk, resource=m.TypeId(rid))
    if tag == "flags":
        return m.Flags(flags=tuple(m.Flag(name=f["name"], docs=_rdocs(f)) for f in v["flags"]))
    if tag == "tuple":
        return m.TupleKind(types=tuple(_rty(t) for t in v["types"]))
    if tag == "variant":
        return m.Variant(
            cases=tuple(
                m.Case(name=c["name"], type=_ropt(c.get("type")), docs=_rdocs(c))
                for c in v["cases"]
            )
        )
    if tag == "enum":
        return m.Enum(cases=tuple(m.EnumCase(name=c["name"], docs=_rdocs(c)) for c in v["cases"]))
    if tag == "option":
        return m.OptionKind(type=_rty(v))
    if tag == "result":
        return m.ResultKind(ok=_ropt(v.get("ok")), err=_ropt(v.get("err")))
    if tag == "list":
        return m.ListKind(type=_rty(v))
    if tag == "fixed-length-list":
        return m.FixedList(type=_rty(v[0]), size=int(v[1]))
    if tag == "map":
        return m.MapKind(key=_rty(v[0]), value=_rty(v[1]))
    if tag == "future":
        return m.Future(type=_ropt(v))
    if tag == "stream":
        return m.Stream(type=_ropt(v))
    if tag == "type":
        return m.Alias(type=_rty(v))
    raise ValueError(f"unknown type kind {tag!r}")


def _rfunc(j: Json) -> m.Function:
    k = j["kind"]
    if isinstance(k, str):
        kind = m.FunctionKind(name=cast(m.FunctionKindName, k))
    else:
        ((kn, rid),) = k.items()
        kind = m.FunctionKind(name=kn, resource=m.TypeId(rid))
    return m.Function(
        name=j["name"],
        kind=kind,
        params=tuple(m.Param(name=p["name"], type=_rty(p["type"])) for p in j["params"]),
        result=_ropt(j.get("result")),
        docs=_rdocs(j),
        stability=_rstab(j),
        external_id=j.get("external_id"),
    )


def _rkey(k: str, v: Json) -> m.WorldKey:
    if k.startswith("interface-") and "interface" in v and k == f"interface-{v['interface']['id']}":
        return m.InterfaceId(v["interface"]["id"])
    return k


def _ritem(v: Json) -> m.WorldItem:
    if "interface" in v:
        i = v["interface"]
        return m.WorldInterface(
            id=m.InterfaceId(i["id"]),
            docs=_rdocs(i),
            stability=_rstab(i),
            external_id=i.get("external_id"),
        )
    if "function" in v:
        return m.WorldFunction(function=_rfunc(v["function"]))
    return m.WorldType(id=m.TypeId(v["type"]))


def _rpkgname(s: str) -> m.PackageName:
    base, _, version = s.partition("@")
    ns, _, name = base.partition(":")
    return m.PackageName(namespace=ns, name=name, version=version or None)


def from_data(d: Json) -> m.Resolve:
    worlds = tuple(
        m.World(
            name=w["name"],
            imports=tuple((_rkey(k, v), _ritem(v)) for k, v in w["imports"].items()),
            exports=tuple((_rkey(k, v), _ritem(v)) for k, v in w["exports"].items()),
            package=None if w.get("package") is None else m.PackageId(w["package"]),
            docs=_rdocs(w),
            stability=_rstab(w),
        )
        for w in d["worlds"]
    )
    interfaces = tuple(
        m.Interface(
            name=i["name"],
            types=tuple((k, m.TypeId(v)) for k, v in i["types"].items()),
            functions=tuple((k, _rfunc(f)) for k, f in i["functions"].items()),
            package=None if i.get("package") is None else m.PackageId(i["package"]),
            docs=_rdocs(i),
            stability=_rstab(i),
            clone_of=None if i.get("clone_of") is None else m.InterfaceId(i["clone_of"]),
        )
        for i in d["interfaces"]
    )
    types = []
    for t in d["types"]:
        o = t["owner"]
        owner: m.TypeOwner
        if o is None:
            owner = None
        elif "interface" in o:
            owner = m.OwnerInterface(id=m.InterfaceId(o["interface"]))
        else:
            owner = m.OwnerWorld(id=m.WorldId(o["world"]))
        types.append(
            m.TypeDef(
                name=t["name"],
                kind=_rkind(t["kind"]),
                owner=owner,
                docs=_rdocs(t),
                stability=_rstab(t),
                external_id=t.get("external_id"),
            )
        )
    packages = tuple(
        m.Package(
            name=_rpkgname(p["name"]),
            interfaces=tuple((k, m.InterfaceId(v)) for k, v in p["interfaces"].items()),
            worlds=tuple((k, m.WorldId(v)) for k, v in p["worlds"].items()),
            docs=_rdocs(p),
        )
        for p in d["packages"]
    )
    main = m.PackageId(len(packages) - 1) if packages else None
    return m.Resolve(
        packages=packages,
        interfaces=interfaces,
        worlds=worlds,
        types=tuple(types),
        main=main,
        main_group=(main,) if main is not None else (),
    )


def from_json(text: str) -> m.Resolve:
    return from_data(json.loads(text))
