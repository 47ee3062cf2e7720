"""render.yaml creates the whole deployment in one apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

BLUEPRINT = Path(__file__).resolve().parents[2] / "render.yaml"


def _load() -> dict[str, Any]:
    return yaml.safe_load(BLUEPRINT.read_text())


def _service(kind: str) -> dict[str, Any]:
    matches = [s for s in _load()["services"] if s["type"] == kind]
    assert len(matches) == 1, f"expected one {kind} service"
    return matches[0]


def _env(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["key"]: e for e in service["envVars"]}


def test_web_service_builds_migrates_serves_and_is_health_checked() -> None:
    web = _service("web")
    assert web["runtime"] == "python"
    assert web["buildCommand"] == "pip install ."
    assert web["preDeployCommand"] == "khaacho migrate"
    assert web["startCommand"] == "khaacho serve"
    assert web["healthCheckPath"] == "/api/health"


def test_worker_runs_the_job_runner() -> None:
    worker = _service("worker")
    assert worker["startCommand"] == "khaacho worker"
    assert worker["buildCommand"] == "pip install ."


def test_redis_is_created_private_and_never_evicts() -> None:
    kv = _service("keyvalue")
    assert kv["ipAllowList"] == []
    assert kv["maxmemoryPolicy"] == "noeviction"


def test_postgres_is_created() -> None:
    dbs = _load()["databases"]
    assert len(dbs) == 1


def test_connection_urls_are_wired_from_the_created_resources() -> None:
    db_name = _load()["databases"][0]["name"]
    kv_name = _service("keyvalue")["name"]
    for kind in ("web", "worker"):
        env = _env(_service(kind))
        assert env["DATABASE_URL"]["fromDatabase"] == {"name": db_name,
                                                        "property": "connectionString"}
        assert env["REDIS_URL"]["fromService"] == {"type": "keyvalue", "name": kv_name,
                                                    "property": "connectionString"}


def test_secrets_are_generated_or_entered_by_hand_never_committed() -> None:
    web = _env(_service("web"))
    assert web["JWT_SECRET"].get("generateValue") is True
    for key in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN",
                "WHATSAPP_PHONE_NUMBER_ID"):
        assert web[key] == {"key": key, "sync": False}
    worker = _env(_service("worker"))
    assert worker["WHATSAPP_ACCESS_TOKEN"] == {"key": "WHATSAPP_ACCESS_TOKEN", "sync": False}
