"""`makebuy catalog import SOURCE`: overlays from files a user already has.

Each importer runs through the real CLI on a small excerpt under tests/data/importers/
(PROVENANCE.md says where each came from); the overlay must then pass `catalog validate`
and feed `assess --catalog`. Curated, verified figures are never silently replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from makebuy.errors import ExitCode
from tests.conftest import DATA, EXAMPLES

IMPORTS = DATA / "importers"
LITELLM = IMPORTS / "litellm-excerpt.json"
CURATED = IMPORTS / "curated-deepinfra-mixtral.yaml"
MISTRAL = IMPORTS / "hf-mistral-7b-instruct-v0.1"
MIXTRAL = "deepinfra/mistralai/Mixtral-8x7B-Instruct-v0.1"


def overlay_entries(path: Path, section: str) -> dict[str, dict]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {e["id"]: e for e in doc.get(section, [])}


def assert_usable(cli, overlay: Path, *extra: Path) -> None:
    """The overlay validates with the base catalog and an assessment reads it."""
    catalogs = [a for p in (*extra, overlay) for a in ("--catalog", p)]
    validated = cli("catalog", "validate", *extra, overlay, "--as-of", "2026-12-01")
    assert validated.exit_code == 0, validated.stdout + validated.stderr
    assessed = cli("assess", EXAMPLES / "support-assistant.yaml", *catalogs, "-f", "json")
    assert assessed.exit_code == 0, assessed.stderr


# ---------------------------------------------------------------- litellm


def test_litellm_prices_become_a_dated_row_after_the_curated_history(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli(
        "catalog", "import", "litellm", LITELLM, "--as-of", "2026-12-01",
        "--version", "1.110.2", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "3 catalog entries matched" in result.stderr
    offering = overlay_entries(out, "offerings")[MIXTRAL]
    old, new = offering["prices"]
    assert (old["input_per_1m"], old["effective_to"].isoformat()) == (0.27, "2026-12-01")
    assert (new["input_per_1m"], new["output_per_1m"]) == (0.4, 0.4)
    assert new["effective_from"].isoformat() == "2026-12-01"
    assert new["status"] == "secondary"
    # unchanged offerings (gpt-4-0613 at $30/$60) are not repeated in the overlay
    assert set(overlay_entries(out, "offerings")) == {MIXTRAL}
    assert_usable(cli, out)


def test_litellm_cites_the_file_by_name_release_and_sha256(cli, tmp_path) -> None:
    import hashlib

    out = tmp_path / "overlay.yaml"
    cli("catalog", "import", "litellm", LITELLM, "--as-of", "2026-12-01", "--version", "1.110.2",
        "-o", out)  # fmt: skip
    digest = hashlib.sha256(LITELLM.read_bytes()).hexdigest()
    (source,) = overlay_entries(out, "sources").values()
    assert source["title"] == f"litellm-excerpt.json (litellm 1.110.2), sha256 {digest}"
    assert source["url"] == "https://pypi.org/project/litellm/1.110.2/"
    assert f"# sha256: {digest}" in out.read_text(encoding="utf-8")


def test_litellm_lists_every_unmapped_entry_with_its_reason(cli, tmp_path) -> None:
    unmapped = tmp_path / "unmapped.tsv"
    result = cli("catalog", "import", "litellm", LITELLM, "--as-of", "2026-12-01",
                 "--unmapped", unmapped)  # fmt: skip
    assert result.exit_code == 0
    assert "4 unmapped" in result.stderr
    assert unmapped.read_text(encoding="utf-8").splitlines() == [
        "1024-x-1024/gpt-image-1.5\tmode 'image_generation' is not chat",
        "anyscale/meta-llama/Llama-2-70b-chat-hf\tprovider 'anyscale' is not mapped",
        "gpt-4o-2024-11-20\tno openai offering with this API model id",
        "us.meta.llama3-1-70b-instruct-v1:0\tno aws-bedrock offering with this API model id",
    ]
    assert "# Unmapped (4):" in result.stdout


def test_litellm_map_adds_an_offering_for_a_key_the_catalog_lacks(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("catalog", "import", "litellm", LITELLM, "--as-of", "2026-12-01",
                 "--map", "gpt-4o-2024-11-20=openai/gpt-4o", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    added = overlay_entries(out, "offerings")["openai/gpt-4o-2024-11-20"]
    assert added["model"] == "openai/gpt-4o"
    assert added["prices"][0]["input_per_1m"] == 2.5
    assert added["context_tokens"]["value"] == 128000
    assert_usable(cli, out)


def test_a_verified_curated_price_on_the_same_date_is_kept_and_reported(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("catalog", "import", "litellm", LITELLM, "--as-of", "2026-12-01",
                 "--catalog", CURATED, "-o", out)  # fmt: skip
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert (
        f"conflict: {MIXTRAL}: price from 2026-12-01: curated $0.24 / $0.24"
        " (test-curated-deepinfra-page), imported $0.4 / $0.4"
    ) in result.stderr
    assert f"conflict: {MIXTRAL}: context_tokens: curated 32000" in result.stderr
    # nothing changed, so the curated offering is not repeated; the header says why
    assert MIXTRAL not in overlay_entries(out, "offerings")
    assert "# Conflicts with verified curated figures (kept;" in out.read_text(encoding="utf-8")
    assert_usable(cli, out, CURATED)


def test_force_takes_the_imported_figure_over_a_verified_one(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("catalog", "import", "litellm", LITELLM, "--as-of", "2026-12-01",
                 "--catalog", CURATED, "--force", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    offering = overlay_entries(out, "offerings")[MIXTRAL]
    assert offering["prices"][-1]["input_per_1m"] == 0.4
    assert offering["context_tokens"]["value"] == 32768


def test_an_import_needs_an_as_of_date(cli) -> None:
    result = cli("catalog", "import", "litellm", LITELLM)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "--as-of" in result.stderr


def test_a_file_that_is_not_json_is_bad_input(cli, tmp_path) -> None:
    bad = tmp_path / "prices.json"
    bad.write_text("{not json", encoding="utf-8")
    result = cli("catalog", "import", "litellm", bad, "--as-of", "2026-12-01")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "not JSON" in result.stderr


# ---------------------------------------------------------------- hf


def test_hf_folder_becomes_a_sizable_model_entry(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("catalog", "import", "hf", MISTRAL, "--as-of", "2023-09-27",
                 "--model-id", "mistral/mistral-7b-instruct-v0.1", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    model = overlay_entries(out, "models")["mistral/mistral-7b-instruct-v0.1"]
    arch = model["architecture"]
    assert (arch["layers"], arch["kv_heads"], arch["head_dim"]) == (32, 8, 128)
    assert (arch["sliding_window"], arch["vocab_size"]) == (4096, 32000)
    assert model["licence"] == "apache-2.0"
    assert model["context_tokens"]["value"] == 32768
    assert model["parameters_b"]["value"] == 7.24
    assert model["parameters_b"]["status"] == "unverified"
    assert_usable(cli, out)
    sized = cli("size", "mistral/mistral-7b-instruct-v0.1", "--catalog", out)
    assert sized.exit_code == 0, sized.stderr


def test_hf_never_lowers_a_curated_figure_to_an_estimate(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("catalog", "import", "hf", MISTRAL, "--as-of", "2023-09-27",
                 "--model-id", "mistral/mistral-7b-instruct", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    model = overlay_entries(out, "models")["mistral/mistral-7b-instruct"]
    # the curated secondary count stays (the import only estimates it) ...
    assert model["parameters_b"]["value"] == 7.25
    # ... while the config's architecture replaces the secondary copy
    assert model["architecture"]["sliding_window"] == 4096
    assert_usable(cli, out)


def test_hf_licence_without_a_catalog_entry_is_bad_input(cli, tmp_path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_bytes((MISTRAL / "config.json").read_bytes())
    (folder / "README.md").write_text("---\nlicense: other\n---\n", encoding="utf-8")
    result = cli("catalog", "import", "hf", folder, "--as-of", "2023-09-27")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "pass --licence ID" in result.stderr


# ---------------------------------------------------------------- genai-prices

GENAI = IMPORTS / "genai-prices-excerpt.json"
O3_UNPRICED = IMPORTS / "base-o3-unpriced.yaml"


def test_genai_prices_date_ranges_become_price_history(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    unmapped = tmp_path / "unmapped.tsv"
    result = cli("catalog", "import", "genai-prices", GENAI, "--as-of", "2026-08-21",
                 "--catalog", O3_UNPRICED, "-o", out, "--unmapped", unmapped)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    offerings = overlay_entries(out, "offerings")
    (row,) = offerings["openai/o3-history-test"]["prices"]
    assert row["effective_from"].isoformat() == "2025-06-10"
    assert row["as_of"].isoformat() == "2025-06-10"
    assert (row["input_per_1m"], row["output_per_1m"]) == (2.0, 8.0)
    # the built-in o3 already has this history: not repeated
    assert "openai/o3" not in offerings
    together = offerings["together/mistralai/Mixtral-8x7B-Instruct-v0.1"]["prices"]
    assert together[-1]["input_per_1m"] == 0.9
    assert together[-1]["effective_from"].isoformat() == "2026-08-21"
    lines = unmapped.read_text(encoding="utf-8").splitlines()
    assert "avian/Meta-Llama-3.1-405B-Instruct\tprovider 'avian' is not mapped" in lines
    assert "openai/gpt-5\tno openai offering with these API ids" in lines
    assert "openai/o3@undated\tundated price set before 2025-06-10 left out" in lines
    assert_usable(cli, out, O3_UNPRICED)


# ---------------------------------------------------------------- openrouter

OPENROUTER = IMPORTS / "openrouter-models-excerpt.json"


def test_openrouter_entries_become_offerings_of_known_models(cli, tmp_path) -> None:
    out = tmp_path / "overlay.yaml"
    result = cli("catalog", "import", "openrouter", OPENROUTER, "--as-of", "2026-12-01",
                 "--map", "mistralai/mixtral-8x7b-instruct=mistral/mixtral-8x7b-instruct",
                 "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    offerings = overlay_entries(out, "offerings")
    llama = offerings["openrouter/meta-llama/llama-3.1-70b-instruct"]
    assert llama["model"] == "meta/llama-3.1-70b-instruct"
    assert (llama["prices"][0]["input_per_1m"], llama["context_tokens"]["value"]) == (0.4, 131072)
    assert offerings["openrouter/mistralai/mixtral-8x7b-instruct"]["prices"][0][
        "output_per_1m"
    ] == pytest.approx(0.54)
    assert "openrouter/nousresearch/hermes-3-llama-3.1-405b" not in offerings
    assert "2 unmapped" in result.stderr
    assert_usable(cli, out)
