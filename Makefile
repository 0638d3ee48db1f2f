# The few commands a contributor needs. `make demo` and `make test` are the README's quick start.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
# uv is the dev workflow; a fresh machine gets it from PyPI. `python -m uv` works without a PATH entry.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

.PHONY: demo test rust-checks fuzz-replay fuzz python-checks pytest core-is-pure uv bench-exact bench-minhash bench-pipeline bench-tokenizer bench-ray fmt

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

demo: uv  ## Remove near duplicates from the bundled sample (Poe paragraphs) and print a summary.
	@mkdir -p demo-output
	$(UV) run tamis dedup examples/poe.jsonl -o demo-output/poe.dedup.jsonl \
		--clusters demo-output/clusters.jsonl

test: uv rust-checks python-checks pytest  ## Everything CI checks.

rust-checks: core-is-pure
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test -p tamis-core --locked
	$(MAKE) --no-print-directory fuzz-replay

# The fuzz crate is its own workspace (fuzz/); sharing target/ lets it reuse tamis-core's compiled dependencies.
FUZZ_CARGO := CARGO_TARGET_DIR=$(CURDIR)/target cargo
FUZZ_TARGETS := tokenizer records normalize sketch
FUZZ_SECONDS ?= 120

fuzz-replay:  ## Every committed fuzz seed through its target's checks, on the stable toolchain (no libFuzzer).
	cargo fmt --manifest-path fuzz/Cargo.toml --check
	$(FUZZ_CARGO) clippy --manifest-path fuzz/Cargo.toml --no-default-features --all-targets --locked -- -D warnings
	$(FUZZ_CARGO) test --manifest-path fuzz/Cargo.toml --no-default-features --locked

fuzz:  ## Fuzz each target for FUZZ_SECONDS (default 120) with cargo-fuzz; new inputs go to fuzz/work/, crashes to fuzz/artifacts/.
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && for target in $(FUZZ_TARGETS); do \
		mkdir -p work/$$target; \
		RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $$target work/$$target corpus/$$target -- \
			-max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 || exit 1; \
	done

core-is-pure:  ## The engine must not depend on Python.
	@if cargo tree -p tamis-core -e normal --locked | grep -q pyo3; then \
		echo "tamis-core depends on pyo3; the engine must stay pure Rust" >&2; exit 1; fi

python-checks: uv
	$(UV) sync --locked
	$(UV) run ruff check python tests bench examples
	$(UV) run ruff format --check python tests bench examples
	$(UV) run mypy
	$(UV) run python -m mypy.stubtest tamis._tamis

pytest: uv
	$(UV) run pytest

fmt: uv
	cargo fmt --all
	cargo fmt --manifest-path fuzz/Cargo.toml
	$(UV) run ruff check --fix python tests bench examples
	$(UV) run ruff format python tests bench examples

bench-exact: uv  ## Exact dedup vs a plain Python baseline and polars (builds a 200+ MB corpus first).
	$(UV) run --group bench python bench/bench_exact.py

bench-minhash: uv  ## MinHash and LSH: tamis vs datasketch and rensa on 20,000 real paragraphs.
	$(UV) run --group bench python bench/bench_minhash.py

bench-pipeline: uv  ## Near-duplicate dedup: tamis at scale, and vs datasketch/rensa pipelines with recall/precision.
	$(UV) run --group bench python bench/bench_pipeline.py

bench-ray: uv  ## tamis.ray: per-stage wall time with 1 and 2 CPUs at 25 and 50 MB, next to the local engine.
	$(UV) run python bench/bench_ray.py

bench-tokenizer: uv  ## tamis vs tiktoken: load, RSS, 1-thread and batch MB/s, pathological inputs.
	$(UV) run python bench/bench_tokenizer.py
