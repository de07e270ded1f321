"""A Hugging Face model folder (`config.json` + `README.md`): one sizable model entry.

The architecture group, the vocabulary, the sliding window, the experts and the context
window (`max_position_embeddings`) come from config.json (a multimodal config's
`text_config` is read when present); the licence from the card's `license:` front matter
(`license_name:` when `license: other`); the parameter count from `--parameters-b`, else
`model.safetensors.index.json`'s `metadata.total_size`, else an estimate from the
config's shapes (marked unverified). The config carries no date: the as-of date is given.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from makebuy.errors import InputError
from makebuy.importers.overlay import (
    Conflict,
    ImportResult,
    merge_architecture,
    merge_figure,
    parse_json,
    read_file,
    source_for,
)
from makebuy.load import parse_yaml, read_text
from makebuy.models.catalog import Architecture, Catalog, Figure, Model

LICENCES: dict[str, str] = {
    "apache-2.0": "apache-2.0",
    "mit": "mit",
    "llama2": "llama2-community",
    "llama3": "llama3-community",
    "llama3.1": "llama3.1-community",
    "llama3.2": "llama3.2-community",
    "llama3.3": "llama3.3-community",
    "llama4": "llama4-community",
    "gemma": "gemma-terms",
    "cc-by-sa-3.0": "cc-by-sa-3.0",
    "cc-by-nc-sa-4.0": "cc-by-nc-sa-4.0",
    "tongyi-qianwen": "tongyi-qianwen",
    "qwen": "qwen",
    "qwen-research": "qwen-research",
    "deepseek": "deepseek-model",
    "bigscience-bloom-rail-1.0": "bigscience-bloom-rail-1.0",
}
"""The card's `license:` (or `license_name:`) -> makebuy licence id."""

BYTES_PER_PARAMETER = {"float32": 4, "float16": 2, "bfloat16": 2, "float8_e4m3fn": 1}
"""torch_dtype -> bytes, to turn a safetensors total_size into a parameter count."""

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", re.DOTALL)


def front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a model card (empty when there is none)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}
    try:
        data = parse_yaml(match.group(1), "model card").data
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def _int(config: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = config.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def architecture_of(config: dict[str, Any], *, source: str, as_of: dt.date) -> Architecture:
    """The sizing figures of a transformers config (the text model's, for multimodal ones)."""
    text = config.get("text_config")
    cfg = {**config, **text} if isinstance(text, dict) else config
    layers = _int(cfg, "num_hidden_layers", "n_layer", "num_layers")
    hidden = _int(cfg, "hidden_size", "d_model", "n_embd")
    heads = _int(cfg, "num_attention_heads", "n_head")
    if layers is None or hidden is None or heads is None:
        raise InputError("config.json lacks num_hidden_layers, hidden_size or num_attention_heads")
    kv_heads = _int(cfg, "num_key_value_heads", "num_kv_heads") or heads
    head_dim = _int(cfg, "head_dim") or hidden // heads
    experts = _int(cfg, "num_local_experts", "num_experts", "n_routed_experts")
    return Architecture(
        layers=layers,
        hidden_size=hidden,
        attention_heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        sliding_window=_int(cfg, "sliding_window"),
        experts=experts,
        experts_per_token=_int(cfg, "num_experts_per_tok") if experts else None,
        vocab_size=_int(cfg, "vocab_size"),
        intermediate_size=_int(cfg, "intermediate_size"),
        source=source,
        as_of=as_of,
        note="config.json" + (" text_config" if isinstance(text, dict) else ""),
    )


def estimated_parameters(arch: Architecture, tied_embeddings: bool) -> tuple[float, float]:
    """Total and active parameters of a gated-MLP decoder (Llama, Mistral, Mixtral, Qwen2)."""
    if arch.intermediate_size is None or arch.vocab_size is None:
        raise ValueError("needs intermediate_size and vocab_size")
    h, d = arch.hidden_size, arch.head_dim
    attention = h * arch.attention_heads * d * 2 + h * arch.kv_heads * d * 2
    mlp = 3 * h * arch.intermediate_size
    experts = arch.experts or 1
    active = arch.experts_per_token or 1
    router = h * experts if arch.experts else 0
    norms = 2 * h
    embeddings = arch.vocab_size * h * (1 if tied_embeddings else 2)
    total = arch.layers * (attention + mlp * experts + router + norms) + h + embeddings
    used = arch.layers * (attention + mlp * active + router + norms) + h + embeddings
    return total / 1e9, used / 1e9


def import_folder(
    folder: Path,
    catalog: Catalog,
    *,
    as_of: dt.date,
    force: bool = False,
    model_id: str | None = None,
    repo_id: str | None = None,
    licence: str | None = None,
    parameters_b: float | None = None,
) -> ImportResult:
    """One model entry (merged over the base catalog's, if it has the id)."""
    if not folder.is_dir():
        raise InputError("expected a model folder holding config.json", path=folder)
    config_file = read_file(folder / "config.json")
    config = parse_json(config_file, folder / "config.json")
    if not isinstance(config, dict):
        raise InputError("expected a JSON object", path=folder / "config.json")
    card_path = folder / "README.md"
    card = front_matter(read_text(card_path)) if card_path.is_file() else {}
    repo = repo_id or str(config.get("_name_or_path") or "") or folder.name
    if "/" not in repo:
        raise InputError(
            "cannot tell the Hugging Face repository (owner/name): pass --repo-id",
            path=folder,
        )
    source = source_for(
        config_file,
        importer="hf",
        url=f"https://huggingface.co/{repo}/blob/main/config.json",
        publisher=f"{repo.split('/')[0]} / Hugging Face",
    )
    result = ImportResult(importer="hf", file=config_file, as_of=as_of, source=source, forced=force)
    new_id = (model_id or repo).lower()
    arch = architecture_of(config, source=source.id, as_of=as_of)
    licence_id = licence or _licence(card, catalog, folder)
    total_b, active_b, note, status = _parameters(folder, config, arch, parameters_b)

    def figure(value: Any, note: str | None = None, status: Any = "verified") -> Figure[Any]:
        return Figure[Any](value=value, source=source.id, as_of=as_of, status=status, note=note)

    context = _int(config.get("text_config") or {}, "max_position_embeddings") or _int(
        config, "max_position_embeddings", "max_sequence_length", "n_positions"
    )
    base = catalog.models.get(new_id)
    name = repo.split("/")[-1]
    entry = base or Model(
        id=new_id,
        name=name,
        family=re.sub(r"-(instruct|chat|it|hf).*$", "", name.lower()) or name.lower(),
        developer=repo.split("/")[0],
        open_weights=True,
        licence=licence_id,
        modalities=figure(["text"], "text model assumed; check the card"),
    )
    result.mapped = 1
    if base is None:
        result.changes.append(f"{new_id}: model added from {repo}")
    elif base.licence != licence_id:
        result.conflicts.append(
            Conflict(new_id, "licence", str(base.licence), licence_id, "hand-curated entry")
        )
        if not force:
            licence_id = base.licence or licence_id
    params = merge_figure(
        result, new_id, "parameters_b", entry.parameters_b, figure(total_b, note, status)
    )
    active = entry.active_parameters_b
    if arch.experts and active_b is not None:
        active = merge_figure(
            result, new_id, "active_parameters_b", active, figure(active_b, note, "unverified")
        )
    ctx = entry.context_tokens
    if context is not None:
        ctx = merge_figure(
            result, new_id, "context_tokens", ctx, figure(context, "max_position_embeddings")
        )
    merged = entry.model_copy(
        update={
            "licence": licence_id,
            "parameters_b": params,
            "active_parameters_b": active,
            "architecture": merge_architecture(result, new_id, entry.architecture, arch),
            "context_tokens": ctx,
        }
    )
    if merged != base:
        result.models[new_id] = Model.model_validate(merged.model_dump())
    else:
        result.unchanged.append(new_id)
    return result


def _licence(card: dict[str, Any], catalog: Catalog, folder: Path) -> str:
    raw = str(card.get("license") or "").lower()
    if raw == "other":
        raw = str(card.get("license_name") or "").lower()
    licence_id = LICENCES.get(raw) or (raw if raw in catalog.licences else None)
    if licence_id is None or licence_id not in catalog.licences:
        shown = repr(raw) if raw else "no license: front matter"
        raise InputError(
            f"model card licence {shown} has no licence entry in the catalog:"
            " pass --licence ID (and add the licence to a --catalog file if it is new)",
            path=folder / "README.md",
        )
    return licence_id


def _parameters(
    folder: Path, config: dict[str, Any], arch: Architecture, given: float | None
) -> tuple[float, float | None, str, Any]:
    """Total and active parameters (billions), the note and the status to cite them with."""
    if given is not None:
        return given, None, "given with --parameters-b", "verified"
    index = folder / "model.safetensors.index.json"
    dtype = str(config.get("torch_dtype") or config.get("dtype") or "")
    if index.is_file() and dtype in BYTES_PER_PARAMETER:
        try:
            total_size = json.loads(read_text(index))["metadata"]["total_size"]
            count = total_size / BYTES_PER_PARAMETER[dtype] / 1e9
            _, active = _estimate(config, arch)
            return round(count, 2), active, f"safetensors total_size / {dtype} bytes", "verified"
        except (KeyError, TypeError, ValueError, json.JSONDecodeError):
            pass
    total, active = _estimate(config, arch)
    if total is None:
        raise InputError(
            "cannot derive the parameter count from config.json: pass --parameters-b",
            path=folder,
        )
    return total, active, "estimated from config.json shapes (gated-MLP decoder)", "unverified"


def _estimate(config: dict[str, Any], arch: Architecture) -> tuple[float | None, float | None]:
    try:
        total, active = estimated_parameters(arch, bool(config.get("tie_word_embeddings")))
    except ValueError:
        return None, None
    return round(total, 2), (round(active, 2) if arch.experts else None)
