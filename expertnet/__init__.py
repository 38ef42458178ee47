"""expertnet: the expert network and consultation system of a city Union of Science and
Technology Associations."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import instance_path_from_env, load_config

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent


def _templates_dir() -> str:
    # A source checkout keeps templates at the top level; a wheel carries them inside the package.
    for candidate in (_HERE.parent / "templates", _HERE / "templates"):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError("expertnet templates not found")


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

    from .app_setup import configure

    configure(app)
    return app
