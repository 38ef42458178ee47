"""expertnet: the expert network and consultation system of a city Union of Science and
Technology Associations."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import check_config, instance_path_from_env, load_config

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent


def _templates_dir() -> str:
    # ``expertnet/templates`` links to the top-level ``templates/`` in a checkout, and is a
    # real folder inside an installed wheel.
    path = _HERE / "templates"
    if not path.is_dir():
        raise RuntimeError(f"expertnet templates not found at {path}")
    return str(path)


def create_app(config_override: dict | None = None) -> Flask:
    """Build the application; ``config_override`` wins over the environment (tests use it)."""
    override = dict(config_override or {})
    instance = Path(override.pop("INSTANCE_PATH", None) or instance_path_from_env())
    instance.mkdir(parents=True, exist_ok=True)

    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=_templates_dir(),
        static_folder="static",
    )
    app.config.update(load_config(instance))
    app.config.update(override)
    check_config(app.config)

    from .app_setup import configure

    configure(app)
    return app
