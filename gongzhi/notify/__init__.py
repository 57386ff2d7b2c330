"""Notifications: in-app, SMS, WeChat and email, through the task queue (ADR 0020).

A pillar registers its kind once, from its AppConfig.ready (notify.registry.register); later
pillars' periodic work registers with notify.queue.periodic.  Lazy names: this package is imported
while apps load, before its models may be."""


def register(*args, **kwargs):
    from .registry import register as _register
    return _register(*args, **kwargs)


def __getattr__(name):
    if name == "Rule":
        from .registry import Rule
        return Rule
    if name in {"periodic", "kick"}:
        from . import queue
        return getattr(queue, name)
    raise AttributeError(name)
