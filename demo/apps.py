"""The demo app: `seed_demo` and its data. It may import every app; no app imports it."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo data"
