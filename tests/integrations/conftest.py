"""Fixtures of the webhook tests: a real receiver on loopback (allowed by the setting only
where a test asks for it), and a recorder in place of integrations.scheduling.later, so a
test sees each countdown and runs the queued tasks itself (a fake clock for the backoff)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from integrations import scheduling
from tests.integrations.receiver import Receiver


@dataclass
class Scheduled:
    calls: list[tuple[Any, list[Any], float]] = field(default_factory=list)

    def later(self, task: Any, args: list[Any], countdown: float) -> None:
        self.calls.append((task, args, countdown))

    @property
    def countdowns(self) -> list[float]:
        return [countdown for _, _, countdown in self.calls]

    def run_next(self) -> Any:
        task, args, _ = self.calls.pop(0)
        return task.apply(args=args).get()

    def run_all(self, limit: int = 50) -> list[Any]:
        results = []
        while self.calls and limit:
            results.append(self.run_next())
            limit -= 1
        return results


@pytest.fixture(autouse=True)
def scheduled(monkeypatch: pytest.MonkeyPatch) -> Scheduled:
    recorder = Scheduled()
    monkeypatch.setattr(scheduling, "later", recorder.later)
    return recorder


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def hook(workspace: Any, owner: Any, receiver: Receiver) -> Any:
    from integrations.models import Event
    from integrations.services import webhook_create

    return webhook_create(
        workspace=workspace, actor=owner, url=receiver.url, events=list(Event.values)
    )
