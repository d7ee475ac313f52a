#!/usr/bin/env bash
# Prints the path of a Python that imports the official W&B client (wandb
# 0.30), for emulator/test/pythonClient.test.ts (WANDB_PYTHON); prints
# nothing when none can be made. Tries, in order: python3 as it is; a venv
# with `pip install wandb==0.30.0`; the same venv with wandb and its
# dependencies installed one by one, when the package index lacks
# opentelemetry-semantic-conventions. That package only names telemetry
# attributes: the client imports two of its modules at startup, and here
# they get a stand-in that answers any attribute with its dotted name. The
# client's API, GraphQL and wandb-core process are its own.
set -uo pipefail
venv="${WANDB_VENV:-$HOME/.cache/ci-wandb-venv}"
importable() { "$1" -c 'import wandb, sys; sys.exit(0 if wandb.__version__ else 1)' >/dev/null 2>&1; }

if importable python3; then command -v python3; exit 0; fi
if [ -x "$venv/bin/python" ] && importable "$venv/bin/python"; then echo "$venv/bin/python"; exit 0; fi
python3 -m venv "$venv" >/dev/null 2>&1 || exit 0
pip() { "$venv/bin/pip" install -q --retries 0 --timeout 10 "$@" >/dev/null 2>&1; }
if pip 'wandb==0.30.0' && importable "$venv/bin/python"; then echo "$venv/bin/python"; exit 0; fi

pip --no-deps 'wandb==0.30.0' || exit 0
for dep in click packaging platformdirs protobuf pydantic pyyaml requests typing-extensions xxhash opentelemetry-api opentelemetry-proto; do pip "$dep" || exit 0; done
for dep in opentelemetry-sdk opentelemetry-exporter-otlp-proto-common opentelemetry-exporter-otlp-proto-http; do pip --no-deps "$dep" || exit 0; done
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
semconv="$site/opentelemetry/semconv"
if [ ! -e "$semconv/__init__.py" ]; then
  for module in "" resource _incubating _incubating/attributes _incubating/attributes/otel_attributes _incubating/metrics _incubating/metrics/otel_metrics; do
    mkdir -p "$semconv/$module"
    printf 'def __getattr__(name):\n    return name.lower().replace("_", ".")\n' > "$semconv/$module/__init__.py"
  done
  printf 'class _Names(type):\n    def __getattr__(cls, name):\n        return name.lower().replace("_", ".")\n\n\nclass ResourceAttributes(metaclass=_Names):\n    pass\n' > "$semconv/resource/__init__.py"
fi
importable "$venv/bin/python" && echo "$venv/bin/python"
exit 0
