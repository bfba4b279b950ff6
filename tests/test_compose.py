"""compose.yaml, checked against the code it runs: it cannot be started here (no container registry), so every
service's command, environment names and volumes are checked by parsing — and by `docker-compose config` when
Debian's docker-compose package is installed. The README's `.env` recipe is checked against both.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker")
# Environment the images themselves read (not Pressroom's settings).
IMAGE_ENV = {"db": {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"},
             "minio": {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"},
             "minio-bucket": {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "S3_BUCKET"}}


def settings_env_names() -> set[str]:
    """Every variable config/settings.py reads through django-environ (env.str("X"), env.int("X"), env.db("X")…)."""
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))


def interpolated(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))


def readme_env_example() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Writing `.env`")[1].split("```sh")[1].split("```")[0]
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", block, flags=re.M))


def test_the_settings_reader_is_seen():
    names = settings_env_names()
    assert {"DATABASE_URL", "SECRET_KEY", "AWS_S3_ENDPOINT_URL", "Q_WORKERS", "RUNWORKER_STOP_SECONDS"} <= names


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_set_only_variables_the_settings_read(name):
    env = SERVICES[name]["environment"]
    assert set(env) <= settings_env_names(), set(env) - settings_env_names()
    assert env["DEBUG"] == "false" and env["DATABASE_URL"].startswith("postgres://pressroom:")
    assert "@db:5432/pressroom" in env["DATABASE_URL"]
    assert SERVICES[name]["env_file"] == ".env"


@pytest.mark.parametrize("name", sorted(IMAGE_ENV))
def test_infrastructure_services_set_their_images_variables(name):
    assert set(SERVICES[name]["environment"]) == IMAGE_ENV[name]


def test_commands_are_ones_this_code_has():
    commands = get_commands()
    for name in ("migrate", "worker"):
        cmd = SERVICES[name]["command"]
        assert cmd[:2] == ["python", "manage.py"] and cmd[2] in commands, cmd
    assert SERVICES["worker"]["command"][2] == "runworker"  # not qcluster: it hangs on a group SIGTERM
    web = SERVICES["web"]["command"]
    assert web[0] == "gunicorn" and web[1] == "config.wsgi:application" and (ROOT / "config" / "wsgi.py").exists()
    assert "0.0.0.0:8000" in web and "8000:8000" in SERVICES["web"]["ports"]


def test_topology_the_issue_asks_for():
    assert SERVICES["db"]["image"] == "postgres:15"
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    assert "mc mb" in " ".join(SERVICES["minio-bucket"]["command"]) and SERVICES["minio-bucket"]["restart"] == "no"
    assert SERVICES["migrate"]["restart"] == "no" and SERVICES["migrate"]["command"][2] == "migrate"
    for name in ("web", "worker"):
        deps = SERVICES[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["minio-bucket"]["condition"] == "service_completed_successfully"
        assert deps["db"]["condition"] == "service_healthy"
    # the workers stop within RUNWORKER_STOP_SECONDS; compose must wait longer before SIGKILL
    assert int(SERVICES["worker"]["stop_grace_period"].rstrip("s")) > 8


def test_volumes_are_declared_and_match_the_image():
    declared = set(COMPOSE["volumes"])
    used = set()
    for service in SERVICES.values():
        for mount in service.get("volumes", []):
            source, target = mount.split(":")[:2]
            used.add(source)
            assert target.startswith("/")
    assert used == declared
    dockerfile = (ROOT / "Dockerfile").read_text()
    var_dir = re.search(r"VAR_DIR=(\S+)", dockerfile).group(1)
    for name in APP_SERVICES:
        assert f"appdata:{var_dir}" in SERVICES[name]["volumes"] and SERVICES[name]["environment"]["VAR_DIR"] == var_dir


def test_readme_env_recipe_covers_every_required_value():
    example = readme_env_example()
    text = (ROOT / "compose.yaml").read_text()
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", text))
    assert required <= set(example), required - set(example)
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS"} <= set(example)  # production refuses without
    assert set(example) <= settings_env_names() | interpolated(text), set(example) - settings_env_names() - interpolated(text)
    assert ".env" in (ROOT / ".gitignore").read_text().split() and ".env" in (ROOT / ".dockerignore").read_text().split()


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose package is not installed")
def test_docker_compose_config_accepts_it(tmp_path):
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    env = {k: (v if "$(" not in v else "generated") for k, v in readme_env_example().items()}
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    result = subprocess.run(["docker-compose", "-f", "compose.yaml", "config", "-q"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (tmp_path / ".env").write_text("SECRET_KEY=x\n")
    missing = subprocess.run(["docker-compose", "-f", "compose.yaml", "config", "-q"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "set POSTGRES_PASSWORD in .env" in missing.stderr
